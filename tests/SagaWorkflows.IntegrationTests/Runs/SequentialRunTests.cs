using System.Text.Json;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Runs;

public sealed class SequentialRunTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Orders = ["A", "B"];
    private static readonly string[] NobodysMessageType = ["urn:message:Nobody:Knows"];

    public const string ThreeSteps = """
    {
      "id": "three-steps",
      "steps": [
        { "id": "first", "type": "tool", "tool": "echo", "input": { "order": "${ input.orderId }", "n": "${ input.n + 1 }" } },
        { "id": "second", "type": "tool", "tool": "delay", "input": { "ms": 50, "from": "${ steps.first.order }" } },
        { "id": "third", "type": "tool", "tool": "echo" }
      ],
      "output": { "order": "${ steps.first.order }", "n": "${ steps.first.n }", "last": "${ steps.third.from }" }
    }
    """;

    [Fact]
    public async Task A_three_step_workflow_passes_data_and_its_events_arrive_in_order_with_sequences_1_to_N()
    {
        var runId = await system.StartRunAsync(ThreeSteps, new { orderId = "O-1", n = 41 });

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(
            ["workflow-start", "step-start", "step-complete", "step-start", "step-complete", "step-start", "step-complete", "workflow-complete"],
            events.Select(e => e.Type));
        Assert.Equal(["first", "first", "second", "second", "third", "third"], events.Where(e => e.Path is not null).Select(e => e.Path!));
        var output = events[^1].Data!.Value.GetProperty("output");
        Assert.Equal("""{"order":"O-1","n":42,"last":"O-1"}""", JsonSerializer.Serialize(output));

        // Arrival order on one queue follows publication order: the raw stream is already in order.
        var raw = system.Events.Raw(runId).Select(e => e.Sequence).Distinct().ToList();
        Assert.Equal(raw.Order(), raw);
    }

    [Fact]
    public async Task Lifecycle_events_wait_in_the_bridge_queue_even_before_any_bridge_ever_started()
    {
        var before = await Broker.QueueInfoAsync(system.VirtualHost, QueueNames.Bridge);
        var runId = await system.StartRunAsync(ThreeSteps, new { orderId = "queued", n = 0 });
        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        var after = await Broker.QueueInfoAsync(system.VirtualHost, QueueNames.Bridge);
        Assert.NotNull(after);
        Assert.Equal(0u, after.Value.Consumers);
        Assert.True(after.Value.Messages >= (before?.Messages ?? 0) + (uint)events.Count,
            $"expected at least {events.Count} more events waiting in {QueueNames.Bridge}, found {after.Value.Messages} (before: {before?.Messages})");
    }

    [Fact]
    public async Task The_same_RunId_started_twice_gives_one_run()
    {
        var runId = Guid.NewGuid();
        await system.StartRunAsync(ThreeSteps, new { orderId = "A", n = 1 }, runId);
        await system.StartRunAsync(ThreeSteps, new { orderId = "B", n = 2 }, runId);

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Single(events, e => e.Type == LifecycleEventTypes.WorkflowStart);
        Assert.Equal(3, events.Count(e => e.Type == LifecycleEventTypes.StepStart));
        // Whichever start won, the run is that start's alone: its input flows to its output.
        var started = events[0].Data!.Value.GetProperty("input").GetProperty("orderId").GetString();
        Assert.Contains(started, Orders);
        Assert.Equal(started, events[^1].Data!.Value.GetProperty("output").GetProperty("order").GetString());
        Assert.All(system.Events.Raw(runId).GroupBy(e => e.Sequence), g => Assert.Single(g.Select(e => e.Type).Distinct()));
    }

    [Fact]
    public async Task An_invalid_definition_ends_the_run_with_every_validation_message_before_any_step()
    {
        const string invalid = """
        { "id": "broken", "steps": [
            { "id": "a", "type": "tool" },
            { "id": "a", "type": "tool", "tool": "echo", "retry": { "backoffRate": 0.5 } },
            { "id": "c", "type": "teleport" } ] }
        """;
        var runId = await system.StartRunAsync(invalid);

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        var only = Assert.Single(events);
        Assert.Equal(LifecycleEventTypes.WorkflowError, only.Type);
        var errors = only.Data!.Value.GetProperty("error").GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(
        [
            "$.steps[0].tool: is required",
            "$.steps[1].id: duplicate step id 'a' (first used at $.steps[0])",
            "$.steps[1].retry.backoffRate: must be >= 1",
            "$.steps[2].type: unknown step type 'teleport'; expected one of tool, ai, parallel, foreach, loop, branch, wait, sleep, workflow",
        ], errors);
    }

    [Fact]
    public async Task A_tool_no_worker_hosts_waits_in_its_queue_until_the_step_timeout_fails_it()
    {
        const string definition = """
        { "id": "orphan", "steps": [
            { "id": "lonely", "type": "tool", "tool": "nobody.hosts.this", "timeout": "PT1S", "retry": { "maxAttempts": 1 } } ] }
        """;
        var runId = await system.StartRunAsync(definition);

        // The command waits in the tool's own queue.
        await WaitForQueueAsync(QueueNames.Tool("nobody.hosts.this"), 1);
        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal(["workflow-start", "step-start", "step-error", "workflow-error"], events.Select(e => e.Type));
        Assert.Equal("Timeout", events[2].Data!.Value.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_malformed_message_lands_in_the_error_queue_and_the_orchestrator_keeps_serving()
    {
        await Broker.PublishRawAsync(system.VirtualHost, QueueNames.WorkflowRuns, "{ this is not json"u8.ToArray(), "application/vnd.masstransit+json");
        await Broker.PublishRawAsync(system.VirtualHost, QueueNames.WorkflowRuns,
            JsonSerializer.SerializeToUtf8Bytes(new { messageType = NobodysMessageType, message = new { } }), "application/vnd.masstransit+json");

        // The malformed message goes to _error and the unknown one to _skipped.
        await WaitForQueueAsync(QueueNames.WorkflowRuns + "_error", 1);
        await WaitForQueueAsync(QueueNames.WorkflowRuns + "_skipped", 1);
        var runId = await system.StartRunAsync(ThreeSteps, new { orderId = "after", n = 0 });
        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        Assert.False(system.Orchestrator!.HasExited);
    }

    // The broker offers no push notification for queue depth: poll it, every 100 ms.
    private Task WaitForQueueAsync(string queue, uint messages) =>
        Poll.UntilAsync(async () => await Broker.QueueInfoAsync(system.VirtualHost, queue) is { } info && info.Messages >= messages,
            TimeSpan.FromSeconds(20), $"{messages} message(s) waiting in {queue}", TimeSpan.FromMilliseconds(100));
}
