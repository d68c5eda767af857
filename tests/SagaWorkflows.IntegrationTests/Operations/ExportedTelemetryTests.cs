using System.Net;
using System.Text.Json;
using SagaWorkflows.Contracts;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Operations;

/// <summary>The real orchestrator and worker processes, configured only by the standard OTEL_* variables and SagaWorkflows__Health__Urls.</summary>
public sealed class ExportedTelemetryTests(ObservedWorkflowSystem system) : IClassFixture<ObservedWorkflowSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_run_with_a_retry_and_a_compensation_arrives_at_an_otlp_endpoint_as_one_trace_from_both_processes_with_metrics()
    {
        const string definition = """
        { "id": "exported", "steps": [
            { "id": "reserve", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 }, "retry": { "initialInterval": "PT0.2S" }, "compensate": { "tool": "echo" } },
            { "id": "charge", "type": "tool", "tool": "fail", "input": { "errorType": "Declined" }, "retry": { "maxAttempts": 1 } } ] }
        """;
        var runId = await system.StartRunAsync(definition);
        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);
        Assert.Equal("Compensated", events[^1].Data!.Value.GetProperty("status").GetString());

        var run = runId.ToString();
        List<OtlpReceiver.ReceivedSpan> Spans(string scope) =>
            system.Receiver.Spans.Where(s => s.Scope == scope && s.Attributes.GetValueOrDefault("sagawf.run.id") == run).ToList();
        var (steps, saga) = await Poll.UntilAsync(
            () => (Steps: Spans("SagaWorkflows"), Saga: Spans("MassTransit")),
            received => received.Steps.Count >= 3 && received.Saga.Any(s => s.Attributes.GetValueOrDefault("sagawf.run.status") == "compensated")
                && system.Receiver.Metrics.Any(m => m.Name == "sagawf.runs.ended"),
            TimeSpan.FromSeconds(30), "three step spans, the compensated saga span and the runs-ended metric",
            () => $"requests: {string.Join(", ", system.Receiver.Requests)}\n{system.Diagnostics()}");

        Assert.All(steps, s => Assert.Equal("sagawf-worker", s.Service));
        Assert.Equal(["charge 1 failed", "reserve 1 retrying", "reserve 2 completed"],
            steps.Select(s => $"{s.Attributes["sagawf.step.id"]} {s.Attributes["sagawf.step.attempt"]} {s.Attributes["sagawf.step.outcome"]}").Order());
        Assert.All(steps, s => Assert.Equal("exported", s.Attributes.GetValueOrDefault("sagawf.workflow.id")));
        Assert.Contains(saga, s => s.Service == "sagawf-orchestrator" && s.Attributes.GetValueOrDefault("sagawf.run.status") == "compensated");
        Assert.Single(steps.Concat(saga).Select(s => s.TraceId).Distinct());

        Assert.Contains(system.Receiver.Requests.Keys, k => k == "traces application/x-protobuf");
        Assert.Contains(system.Receiver.Metrics, m => m is { Service: "sagawf-orchestrator", Name: "sagawf.runs.started" });
        Assert.Contains(system.Receiver.Metrics, m => m is { Service: "sagawf-orchestrator", Name: "sagawf.runs.ended" });
        Assert.Contains(system.Receiver.Metrics, m => m is { Service: "sagawf-worker", Name: "sagawf.step.duration" });
        Assert.Contains(system.Receiver.Metrics, m => m is { Service: "sagawf-worker", Name: "sagawf.step.retries" });
    }

    [Fact]
    public async Task The_orchestrator_and_the_worker_serve_live_and_ready_at_SagaWorkflows__Health__Urls()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (host, address) in new[] { (system.Orchestrator!, system.OrchestratorHealth), (system.Worker!, system.WorkerHealth) })
        {
            using var live = await http.GetAsync(new Uri(address, "/health/live"));
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);

            var report = "";
            await Poll.UntilAsync(
                async () =>
                {
                    using var ready = await http.GetAsync(new Uri(address, "/health/ready"));
                    report = await ready.Content.ReadAsStringAsync();
                    return ready.StatusCode == HttpStatusCode.OK;
                },
                TimeSpan.FromSeconds(30), $"{host.Name} ready", TimeSpan.FromMilliseconds(100), () => report);

            var checks = JsonDocument.Parse(report).RootElement.GetProperty("checks").EnumerateObject().Select(c => c.Name).ToList();
            if (host == system.Orchestrator)
            {
                Assert.Contains("workflow-store", checks);
                Assert.Contains("scheduler", checks);
            }

            Assert.Contains(checks, c => c.Contains("masstransit", StringComparison.OrdinalIgnoreCase) || c.Contains("bus", StringComparison.OrdinalIgnoreCase));
        }
    }
}
