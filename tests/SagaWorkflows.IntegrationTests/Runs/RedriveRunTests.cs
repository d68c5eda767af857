using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;
using SagaWorkflows.WorkerSdk;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.IntegrationTests.Runs;

/// <summary>
/// Redrive on the real broker: the orchestrator process redrives a failed run from the failed step, and the tools
/// (hosted here, so their invocations can be counted) show that no completed step ran again.
/// </summary>
public sealed class RedriveRunTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const string Definition = """
    { "id": "redrive-it", "steps": [
        { "id": "first", "type": "tool", "tool": "it.redrive.counted", "input": { "n": "${ input.n }" } },
        { "id": "both", "type": "parallel", "branches": {
            "done": [ { "id": "side", "type": "tool", "tool": "it.redrive.counted", "input": { "side": true } } ],
            "gated": [ { "id": "gate", "type": "tool", "tool": "it.redrive.gate", "retry": { "maxAttempts": 1 } } ] } },
        { "id": "last", "type": "tool", "tool": "it.redrive.counted", "input": { "first": "${ steps.first.n }", "gate": "${ steps.both.gated }" } } ],
      "output": "${ steps.last }" }
    """;

    [Fact]
    public async Task A_redriven_run_completes_with_gapless_events_and_no_completed_step_run_again()
    {
        var invocations = new ConcurrentDictionary<string, int>();
        var gateOpen = false;
        using var worker = await StartWorkerAsync(invocations, () => Volatile.Read(ref gateOpen));
        var rejections = new ConcurrentQueue<RedriveRejected>();
        var observer = system.Bus.ConnectReceiveEndpoint("it-redrive-" + Guid.NewGuid().ToString("N")[..8], e =>
            e.Handler<RedriveRejected>(c =>
            {
                rejections.Enqueue(c.Message);
                return Task.CompletedTask;
            }));
        await observer.Ready;
        try
        {
            var runId = await system.StartRunAsync(Definition, new { n = 7 });
            var failed = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);
            var error = failed.Single(e => LifecycleEventTypes.IsTerminal(e.Type));
            Assert.Equal(LifecycleEventTypes.WorkflowError, error.Type);
            Assert.True(error.Data!.Value.GetProperty("redrivable").GetBoolean(), error.Data.ToString());

            Volatile.Write(ref gateOpen, true);
            // Twice, as a retried request would: the run is redriven once.
            await system.Bus.Publish(new RedriveWorkflow { RunId = runId, AfterSequence = error.Sequence });
            await system.Bus.Publish(new RedriveWorkflow { RunId = runId, AfterSequence = error.Sequence });

            var events = await system.Events.WaitForAsync(runId, all => all.Any(e => e.Type == LifecycleEventTypes.WorkflowComplete)
                && all.Count == all.Max(e => e.Sequence), Timeout, system.Diagnostics);

            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
            var redriven = Assert.Single(events, e => e.Type == LifecycleEventTypes.WorkflowRedriven);
            Assert.Equal(error.Sequence + 1, redriven.Sequence);
            Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
            Assert.Equal("""{"first":7,"gate":{"opened":true}}""", JsonSerializer.Serialize(events[^1].Data!.Value.GetProperty("output")));

            // first and side completed before the failure and ran once; the gate ran again; last ran once, after the redrive.
            Assert.Equal(1, invocations.GetValueOrDefault("first"));
            Assert.Equal(1, invocations.GetValueOrDefault("both.side"));
            Assert.Equal(2, invocations.GetValueOrDefault("both.gate"));
            Assert.Equal(1, invocations.GetValueOrDefault("last"));

            // Now it completed: another redrive is refused, saying why.
            await system.Bus.Publish(new RedriveWorkflow { RunId = runId });
            await EventuallyAsync(() => rejections.Any(r => r.RunId == runId), "the refusal of a redrive of a completed run");
            var refused = rejections.Single(r => r.RunId == runId);
            Assert.Equal(RunStatus.Completed, refused.Status);
            Assert.Contains("completed", refused.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await observer.StopAsync();
        }
    }

    /// <summary>The test's own worker, on the system's virtual host: counts invocations per step path; the gate fails until opened.</summary>
    private async Task<IHost> StartWorkerAsync(ConcurrentDictionary<string, int> invocations, Func<bool> gateOpen)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSagaWorkflowsWorker(w =>
        {
            w.AddToolWithContext("it.redrive.counted", (context, _) =>
            {
                invocations.AddOrUpdate(context.Path, 1, (_, n) => n + 1);
                return Task.FromResult(context.Input?.DeepClone());
            });
            w.AddToolWithContext("it.redrive.gate", (context, _) =>
            {
                invocations.AddOrUpdate(context.Path, 1, (_, n) => n + 1);
                return gateOpen()
                    ? Task.FromResult<JsonNode?>(new JsonObject { ["opened"] = true })
                    : throw new ToolException("GateClosed", "the gate is closed");
            });
        });
        builder.Services.AddSagaWorkflowsBus(new SagaWorkflowsBusOptions
        {
            Transport = SagaWorkflowsTransport.RabbitMq,
            RabbitMq = Broker.AmqpUri(system.VirtualHost),
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static Task EventuallyAsync(Func<bool> condition, string what) => Poll.UntilAsync(condition, Timeout, what);
}
