using System.Net;
using System.Text.Json;
using SagaWorkflows.Contracts;

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
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<OtlpReceiver.ReceivedSpan> steps, saga;
        do
        {
            await Task.Delay(100);
            steps = system.Receiver.Spans.Where(s => s.Scope == "SagaWorkflows" && s.Attributes.GetValueOrDefault("sagawf.run.id") == run).ToList();
            saga = system.Receiver.Spans.Where(s => s.Scope == "MassTransit" && s.Attributes.GetValueOrDefault("sagawf.run.id") == run).ToList();
        }
        while ((steps.Count < 3 || !saga.Any(s => s.Attributes.GetValueOrDefault("sagawf.run.status") == "compensated")
            || !system.Receiver.Metrics.Any(m => m.Name == "sagawf.runs.ended")) && DateTime.UtcNow < deadline);

        Assert.True(steps.Count >= 3, $"step spans received: {steps.Count}; requests: {string.Join(", ", system.Receiver.Requests)}\n{system.Diagnostics()}");
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

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            HttpResponseMessage ready;
            while ((ready = await http.GetAsync(new Uri(address, "/health/ready"))).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
            {
                ready.Dispose();
                await Task.Delay(100);
            }

            using (ready)
            {
                var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
                Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{host.Name}: {report}");
                var checks = report.GetProperty("checks").EnumerateObject().Select(c => c.Name).ToList();
                if (host == system.Orchestrator)
                {
                    Assert.Contains("workflow-store", checks);
                    Assert.Contains("scheduler", checks);
                }

                Assert.Contains(checks, c => c.Contains("masstransit", StringComparison.OrdinalIgnoreCase) || c.Contains("bus", StringComparison.OrdinalIgnoreCase));
            }
        }
    }
}
