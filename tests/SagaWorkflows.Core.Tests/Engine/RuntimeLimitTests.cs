using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

/// <summary>
/// The bounds the runtime keeps whatever a valid definition does: the work of one transition, a foreach's
/// items, the size of payloads, and the memory an execution id takes.
/// </summary>
public sealed class RuntimeLimitTests
{
    private static readonly WorkflowLimits Unbounded = new() { MaxEventsPerTransition = int.MaxValue };

    /// <summary>10,000 iterations with a body that never waits: about 40,000 events, all decided in the orchestrator.</summary>
    private const string SynchronousLoop = """
        { "id": "spin", "steps": [
            { "id": "loop", "type": "loop", "while": "iteration < 10000", "maxIterations": 10000, "steps": [
                { "id": "pick", "type": "branch", "cases": [ { "when": "iteration % 2 == 0", "steps": [ { "id": "nap", "type": "sleep", "duration": "PT0S" } ] } ] } ] },
            { "id": "after", "type": "sleep", "duration": "PT0S" } ],
          "output": { "last": "${ steps.loop }", "done": true } }
        """;

    [Fact]
    public void A_long_synchronous_loop_yields_between_transitions_and_ends_as_if_it_had_not()
    {
        var split = RunDriver.Start(SynchronousLoop, new { n = 1 });

        // The first transition stops at its budget and asks to be woken at once, through the outbox.
        Assert.Equal(RunStatus.Running, split.State.Status);
        Assert.True(split.State.Continuing);
        Assert.Equal(split.Now, split.WakeAt);
        Assert.Equal([split.Now], split.ScheduledWakes);
        Assert.InRange(split.EventsPerTransition[0], 1, WorkflowLimits.Default.MaxEventsPerTransition);

        var transitions = split.Continue();

        Assert.Equal(RunStatus.Completed, split.State.Status);
        Assert.False(split.State.Continuing);
        Assert.Null(split.WakeAt);
        Assert.True(transitions + 1 >= 30, $"{split.Events.Count} events in {transitions + 1} transitions");

        // Every transition stays within the budget but for the few events that end the steps it was in.
        Assert.All(split.EventsPerTransition, n => Assert.InRange(n, 0, WorkflowLimits.Default.MaxEventsPerTransition + 8));

        var whole = RunDriver.Start(SynchronousLoop, new { n = 1 }, Unbounded);
        Assert.Equal(RunStatus.Completed, whole.State.Status);
        Assert.Single(whole.EventsPerTransition);
        AssertSameEvents(whole, split);
        Assert.Equal(whole.State.Output!.ToJsonString(), split.State.Output!.ToJsonString());
    }

    [Fact]
    public void A_long_synchronous_foreach_yields_and_keeps_its_item_order_and_output()
    {
        const string json = """
            { "id": "each", "steps": [ { "id": "f", "type": "foreach", "items": "input.items", "concurrency": 7, "steps": [
                { "id": "pick", "type": "branch", "cases": [ { "when": "index % 3 == 0", "steps": [ { "id": "nap", "type": "sleep", "duration": "PT0S" } ] } ] } ] } ] }
            """;
        var input = new { items = Enumerable.Range(0, 3000).Select(i => new { i }).ToArray() };
        var limits = new WorkflowLimits { MaxEventsPerTransition = 500 };

        var split = RunDriver.Start(json, input, limits);
        var transitions = split.Continue();
        var whole = RunDriver.Start(json, input, Unbounded);

        Assert.Equal(RunStatus.Completed, split.State.Status);
        Assert.True(transitions >= 10, $"{split.Events.Count} events in {transitions + 1} transitions");
        Assert.All(split.EventsPerTransition, n => Assert.InRange(n, 0, limits.MaxEventsPerTransition + 8));
        AssertSameEvents(whole, split);
        Assert.Equal(whole.State.Output!.ToJsonString(), split.State.Output!.ToJsonString());
    }

    [Fact]
    public void A_run_yielded_by_its_budget_still_goes_on_after_another_message_came_first()
    {
        var run = RunDriver.Start("""
            { "id": "mixed", "steps": [ { "id": "both", "type": "parallel", "branches": {
                "slow": [ { "id": "t", "type": "tool", "tool": "echo" } ],
                "busy": [ { "id": "loop", "type": "loop", "while": "iteration < 2000", "maxIterations": 2000,
                            "steps": [ { "id": "nap", "type": "sleep", "duration": "PT0S" } ] } ] } } ] }
            """, null, new WorkflowLimits { MaxEventsPerTransition = 100 });

        // The tool's reply arrives before the run's own wake-up: the run still wants to be woken at once.
        run.Complete("both.t", "done");
        Assert.True(run.State.Continuing);
        Assert.Equal(run.Now, run.WakeAt);

        run.Continue();
        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal(Enumerable.Range(1, run.Events.Count).Select(i => (long)i), run.Events.Select(e => e.Sequence));
    }

    [Fact]
    public void Foreach_items_beyond_the_limit_fail_the_step_naming_the_limit_and_the_path()
    {
        var run = RunDriver.Start("""
            { "id": "each", "steps": [ { "id": "f", "type": "foreach", "items": "input.items", "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] } ] }
            """, new { items = Enumerable.Range(0, 11).ToArray() }, new WorkflowLimits { MaxForeachItems = 10 });

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Empty(run.ToolCommands);
        var error = WorkflowError(run);
        Assert.Equal("f", error["path"]!.GetValue<string>());
        Assert.Equal("items `input.items` evaluated to 11 elements; the limit is 10 (SagaWorkflows:Limits:MaxForeachItems)", error["message"]!.GetValue<string>());
    }

    [Fact]
    public void Foreach_items_expression_building_ten_million_elements_fails_clearly_without_building_them()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var run = RunDriver.Start("""
            { "id": "each", "steps": [ { "id": "f", "type": "foreach", "items": "Array.from({ length: 10000000 }, (_, i) => i)",
                "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] } ] }
            """);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(RunStatus.Failed, run.State.Status);
        var error = WorkflowError(run);
        Assert.Equal("f", error["path"]!.GetValue<string>());
        Assert.Equal("ExpressionError", error["type"]!.GetValue<string>());
        Assert.EndsWith("used more than 32 MB of memory, the expression sandbox's limit", error["message"]!.GetValue<string>());
        Assert.InRange(allocated, 0, 200L * 1024 * 1024);
    }

    [Fact]
    public void A_step_output_beyond_the_payload_limit_fails_the_step_naming_its_path_and_the_limit()
    {
        var run = RunDriver.Start("""
            { "id": "big", "steps": [ { "id": "outer", "type": "branch", "cases": [ { "when": "true", "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] } ] } ] }
            """, null, new WorkflowLimits { MaxPayloadBytes = 1000 });

        run.Complete("outer.t", new { text = new string('x', 2000) });

        Assert.Equal(RunStatus.Failed, run.State.Status);
        var error = WorkflowError(run);
        Assert.Equal("PayloadTooLarge", error["type"]!.GetValue<string>());
        Assert.Equal("outer.t", error["path"]!.GetValue<string>());
        Assert.Equal("the output of step 't' is more than 1000 bytes of JSON (SagaWorkflows:Limits:MaxPayloadBytes)", error["message"]!.GetValue<string>());
    }

    [Fact]
    public void A_rendered_input_beyond_the_payload_limit_fails_the_step_before_anything_is_sent()
    {
        var run = RunDriver.Start("""
            { "id": "big", "steps": [ { "id": "t", "type": "tool", "tool": "x", "input": { "blob": "${ 'x'.repeat(5000) }" } } ] }
            """, null, new WorkflowLimits { MaxPayloadBytes = 1000 });

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Empty(run.ToolCommands);
        var error = WorkflowError(run);
        Assert.Equal("t", error["path"]!.GetValue<string>());
        Assert.Equal("the input of step 't' is more than 1000 bytes of JSON (SagaWorkflows:Limits:MaxPayloadBytes)", error["message"]!.GetValue<string>());

        // The refused input is not copied into the step's event either.
        var start = run.Events.Single(e => e.Type == LifecycleEventTypes.StepStart);
        Assert.True(start.Data!.Value.GetProperty("input").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public void A_signal_payload_beyond_the_payload_limit_is_rejected_naming_the_wait_and_the_wait_goes_on()
    {
        var run = RunDriver.Start("""
            { "id": "sig", "steps": [ { "id": "approve", "type": "wait", "signal": "approval" } ] }
            """, null, new WorkflowLimits { MaxPayloadBytes = 1000 });

        run.HandlePersisted(new SignalReceived("approval", JsonValue.Create(new string('y', 5000))));
        Assert.Equal(RunStatus.Running, run.State.Status);
        Assert.Equal("approve: the payload of signal 'approval' is more than 1000 bytes of JSON (SagaWorkflows:Limits:MaxPayloadBytes)",
            Assert.Single(run.Rejections).Reason);

        run.HandlePersisted(new SignalReceived("approval", JsonValue.Create("ok")));
        Assert.Equal(RunStatus.Completed, run.State.Status);
    }

    [Fact]
    public void A_run_input_beyond_the_payload_limit_fails_the_run_at_once()
    {
        var run = RunDriver.Start("""{ "id": "in", "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] }""",
            new { text = new string('z', 5000) }, new WorkflowLimits { MaxPayloadBytes = 1000 });

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Empty(run.ToolCommands);
        Assert.Equal("$.input", WorkflowError(run)["path"]!.GetValue<string>());
        Assert.Null(run.State.Input);
    }

    [Fact]
    public void Execution_ids_of_paths_of_any_length_use_constant_stack_and_hash_the_whole_path()
    {
        var runId = Guid.NewGuid();
        var maxId = new string('a', WorkflowLimits.Default.MaxIdLength);
        var deepest = string.Join(".", Enumerable.Range(0, WorkflowLimits.Default.MaxNestingDepth + 1).Select(i => $"{maxId}#{i}"));
        var huge = string.Concat(Enumerable.Repeat("é😀x", 500_000));
        foreach (var path in new[] { "", "a", maxId, deepest, string.Concat(Enumerable.Repeat("😀", 300)), huge })
        {
            Assert.Equal(Reference(runId, path), ExecutionIds.For(runId, path));
        }

        Assert.NotEqual(ExecutionIds.For(runId, deepest), ExecutionIds.For(runId, deepest + "x"));

        // A megabyte-long id on a small thread stack: the old stackalloc of the whole path would overflow it.
        Guid onSmallStack = default;
        var thread = new Thread(() => onSmallStack = ExecutionIds.For(runId, huge), maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.Equal(Reference(runId, huge), onSmallStack);
    }

    /// <summary>The id as defined: SHA-256 of the run id's bytes and the path's UTF-8, marked name-based.</summary>
    private static Guid Reference(Guid runId, string path)
    {
        var hash = SHA256.HashData([.. runId.ToByteArray(), .. Encoding.UTF8.GetBytes(path)]);
        hash[7] = (byte)((hash[7] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16));
    }

    private static JsonNode WorkflowError(RunDriver run)
    {
        var end = run.Events.Last();
        Assert.Equal(LifecycleEventTypes.WorkflowError, end.Type);
        return JsonNode.Parse(end.Data!.Value.GetRawText())!["error"]!;
    }

    private static void AssertSameEvents(RunDriver expected, RunDriver actual)
    {
        Assert.Equal(expected.Events.Count, actual.Events.Count);
        Assert.Equal(Enumerable.Range(1, actual.Events.Count).Select(i => (long)i), actual.Events.Select(e => e.Sequence));
        for (var i = 0; i < expected.Events.Count; i++)
        {
            var (e, a) = (expected.Events[i], actual.Events[i]);
            Assert.True(e.Type == a.Type && e.Path == a.Path && e.StepId == a.StepId && e.Attempt == a.Attempt
                        && e.Data?.GetRawText() == a.Data?.GetRawText(),
                $"event {i + 1} differs: {e.Type} {e.Path} {e.Data?.GetRawText()} vs {a.Type} {a.Path} {a.Data?.GetRawText()}");
        }
    }
}
