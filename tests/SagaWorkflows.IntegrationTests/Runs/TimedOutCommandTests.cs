using System.Text.Json;
using MassTransit;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Runs;

/// <summary>The orchestrator alone: the sample worker starts only when a test says so.</summary>
public sealed class NoWorkerYetSystem : WorkflowSystem
{
    protected override bool StartWorker => false;
}

/// <summary>
/// A step command nobody took before the step's timeout must never run later: the run has already
/// failed or retried it, and a late run of the tool is a side effect nothing undoes.
/// </summary>
public sealed class TimedOutCommandTests(NoWorkerYetSystem system) : IClassFixture<NoWorkerYetSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_command_that_timed_out_leaves_the_tool_queue_and_a_worker_started_later_finds_nothing_to_run()
    {
        const string definition = """
            { "id": "nobody-home", "steps": [
                { "id": "late", "type": "tool", "tool": "echo", "input": { "side": "effect" }, "timeout": "PT2S", "retry": { "maxAttempts": 1 } } ] }
            """;
        var runId = await system.StartRunAsync(definition);

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);
        Assert.Equal(LifecycleEventTypes.WorkflowError, events[^1].Type);
        Assert.Equal("Timeout", events[^1].Data!.Value.GetProperty("error").GetProperty("type").GetString());

        // The command carried the step's timeout as its time-to-live: the broker drops it.
        // Polling the broker: its expiry is the only signal.
        await Poll.UntilAsync(async () => await Broker.QueueInfoAsync(system.VirtualHost, QueueNames.Tool("echo")) is not { Messages: > 0 },
            TimeSpan.FromSeconds(20), "the timed-out command left the tool's queue");

        // A worker that comes up now has nothing of that run to execute.
        await system.StartWorkerAsync();
        Assert.Equal((uint)0, (await Broker.QueueInfoAsync(system.VirtualHost, QueueNames.Tool("echo")))!.Value.Messages);
        Assert.DoesNotContain(system.Events.Of(runId), e => e.Type == LifecycleEventTypes.StepComplete);
    }
}

/// <summary>The worker's own check, for a command the broker did not drop.</summary>
public sealed class ExpiredCommandRefusalTests(NoWorkerYetSystem system) : IClassFixture<NoWorkerYetSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_worker_refuses_a_command_whose_deadline_passed_even_when_the_broker_still_delivers_it()
    {
        // No time-to-live here: as if the outbox relay re-sent the command after a crash, or a broker ignored the expiry.
        var replies = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbox = "expiry-probe-" + Guid.NewGuid().ToString("N")[..8];
        var handle = system.Bus.ConnectReceiveEndpoint(inbox, e =>
        {
            e.Handler<StepExpired>(c => { replies.TrySetResult(c.Message); return Task.CompletedTask; });
            e.Handler<StepCompleted>(c => { replies.TrySetResult(c.Message); return Task.CompletedTask; });
            e.Handler<StepFaulted>(c => { replies.TrySetResult(c.Message); return Task.CompletedTask; });
        });
        await handle.Ready;
        try
        {
            var command = new ExecuteTool
            {
                RunId = Guid.NewGuid(),
                ExecutionId = Guid.NewGuid(),
                StepId = "late",
                Path = "late",
                Tool = "echo",
                Attempt = 1,
                Input = JsonSerializer.SerializeToElement(new { side = "effect" }),
                Timeout = TimeSpan.FromSeconds(2),
                Deadline = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1),
            };
            var queue = await system.Bus.GetSendEndpoint(new Uri("queue:" + QueueNames.Tool("echo")));
            await queue.Send(command, c => c.ResponseAddress = new Uri($"queue:{inbox}"));
            await system.StartWorkerAsync(); // the worker comes up after the command was queued

            var reply = await replies.Task.WaitAsync(Timeout);

            var expired = Assert.IsType<StepExpired>(reply);
            Assert.Equal((command.ExecutionId, 1, command.Deadline), (expired.ExecutionId, expired.Attempt, (DateTimeOffset?)expired.Deadline));
        }
        finally
        {
            await handle.StopAsync();
        }
    }
}
