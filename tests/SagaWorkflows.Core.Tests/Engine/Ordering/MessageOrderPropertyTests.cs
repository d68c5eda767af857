using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine.Ordering;

/// <summary>
/// Property: whatever order the broker delivers the world's messages in, and however often, a run
/// ends the same way — same status, same output, same compensations in the same order, the same
/// events — and its stream is well formed (Sequence 1..N, events of a step in the contract's order,
/// nothing after the terminal event). Each scenario is run once first-in first-out (the reference)
/// and then in <see cref="Orders"/> random orders with duplicates.
/// </summary>
public class MessageOrderPropertyTests
{
    private const int Orders = 150;

    [Fact]
    public void A_sequence_with_retries_that_fails_is_compensated_the_same_way_in_every_order() =>
        Holds("""
            { "id": "seq", "steps": [
                { "id": "a", "type": "tool", "tool": "echo", "input": { "v": "${ input.v }" }, "compensate": { "tool": "undo", "input": "${ steps.a }" } },
                { "id": "b", "type": "tool", "tool": "flaky", "input": { "failTimes": 2 }, "compensate": { "tool": "undo" } },
                { "id": "c", "type": "tool", "tool": "echo", "compensate": { "tool": "undo" } },
                { "id": "d", "type": "tool", "tool": "fail" } ] }
            """, new { v = 1 }, expected: RunStatus.Compensated);

    [Fact]
    public void Parallel_branches_with_retries_sleeps_and_nesting_complete_the_same_way_in_every_order() =>
        Holds("""
            { "id": "par", "steps": [
                { "id": "p", "type": "parallel", "branches": {
                    "x": [ { "id": "x1", "type": "tool", "tool": "echo", "input": { "x": 1 } },
                           { "id": "x2", "type": "tool", "tool": "flaky", "input": { "failTimes": 2 } } ],
                    "y": [ { "id": "y1", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 } },
                           { "id": "inner", "type": "parallel", "branches": {
                               "a": [ { "id": "ya", "type": "tool", "tool": "echo", "input": "a" } ],
                               "b": [ { "id": "yb", "type": "tool", "tool": "echo", "input": "b" } ] } } ],
                    "z": [ { "id": "nap", "type": "sleep", "duration": "PT1M" }, { "id": "z1", "type": "tool", "tool": "echo" } ] } },
                { "id": "last", "type": "tool", "tool": "echo", "input": { "x2": "${ steps.p.x }", "y": "${ steps.p.y }" } } ] }
            """, new { go = true }, expected: RunStatus.Completed);

    [Fact]
    public void A_foreach_with_concurrency_that_fails_later_compensates_every_iteration_in_every_order() =>
        Holds("""
            { "id": "fe", "steps": [
                { "id": "perItem", "type": "foreach", "items": "input.items", "concurrency": 3, "steps": [
                    { "id": "charge", "type": "tool", "tool": "echo", "input": { "sku": "${ item }", "i": "${ index }" }, "compensate": { "tool": "undo" } },
                    { "id": "check", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 } } ] },
                { "id": "boom", "type": "tool", "tool": "fail" } ] }
            """, JsonNode.Parse("""{ "items": ["a", "b", "c", "d", "e"] }"""), expected: RunStatus.Compensated, concurrentCompensations: true);

    [Fact]
    public void A_loop_and_a_branch_end_the_same_way_in_every_order() =>
        Holds("""
            { "id": "loopy", "steps": [
                { "id": "poll", "type": "loop", "until": "steps.check.i >= 3", "maxIterations": 5, "steps": [
                    { "id": "check", "type": "tool", "tool": "echo", "input": { "i": "${ iteration }" } },
                    { "id": "wobble", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 } } ] },
                { "id": "route", "type": "branch", "cases": [
                    { "when": "steps.poll.attempt > 1", "steps": [ { "id": "big", "type": "tool", "tool": "echo", "input": { "big": true } } ] } ],
                  "default": [ { "id": "small", "type": "tool", "tool": "echo" } ] } ],
              "output": { "route": "${ steps.route }" } }
            """, null, expected: RunStatus.Completed);

    [Fact]
    public void A_wait_answered_by_a_signal_while_a_parallel_branch_retries_ends_the_same_way_in_every_order() =>
        Holds("""
            { "id": "approval", "steps": [
                { "id": "p", "type": "parallel", "branches": {
                    "human": [ { "id": "approve", "type": "wait", "signal": "approval" } ],
                    "machine": [ { "id": "m1", "type": "tool", "tool": "flaky", "input": { "failTimes": 2 } } ] } } ] }
            """, null, expected: RunStatus.Completed, user: e => e.Type == LifecycleEventTypes.StepSuspended
                ? [new SignalReceived("approval", new JsonObject { ["by"] = "ann" })]
                : []);

    [Fact]
    public void A_wait_timeout_beside_compensable_branches_compensates_the_same_way_in_every_order() =>
        Holds("""
            { "id": "timeout", "steps": [
                { "id": "first", "type": "tool", "tool": "echo", "input": 1, "compensate": { "tool": "undo" } },
                { "id": "p", "type": "parallel", "branches": {
                    "human": [ { "id": "approve", "type": "wait", "signal": "approval", "timeout": "PT1H" } ],
                    "machine": [ { "id": "m1", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 }, "compensate": { "tool": "undo" } },
                                 { "id": "m2", "type": "tool", "tool": "echo", "compensate": { "tool": "undo" } } ] } } ] }
            """, null, expected: RunStatus.Compensated);

    [Fact]
    public void A_cancel_while_waiting_compensates_in_reverse_the_same_way_in_every_order() =>
        Holds("""
            { "id": "cancel", "steps": [
                { "id": "a", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 }, "compensate": { "tool": "undo" } },
                { "id": "b", "type": "tool", "tool": "echo", "compensate": { "tool": "undo" } },
                { "id": "c", "type": "tool", "tool": "echo", "compensate": { "tool": "undo" } },
                { "id": "hold", "type": "wait", "signal": "never" } ] }
            """, new { n = 1 }, expected: RunStatus.Cancelled, user: e => e.Type == LifecycleEventTypes.StepSuspended
                ? [new CancelRequested("user said stop")]
                : []);

    [Fact]
    public void A_compensation_that_fails_midway_ends_CompensationFailed_the_same_way_in_every_order() =>
        Holds("""
            { "id": "undo-fails", "steps": [
                { "id": "a", "type": "tool", "tool": "echo", "compensate": { "tool": "undo" } },
                { "id": "b", "type": "tool", "tool": "echo", "compensate": { "tool": "undo-fail" } },
                { "id": "c", "type": "tool", "tool": "echo", "compensate": { "tool": "undo" } },
                { "id": "d", "type": "tool", "tool": "echo", "compensate": { "tool": "undo" } },
                { "id": "e", "type": "tool", "tool": "fail" } ] }
            """, new { n = 1 }, expected: RunStatus.CompensationFailed);

    [Fact]
    public void Suspend_and_resume_racing_with_replies_change_nothing_but_the_pause() =>
        Holds("""
            { "id": "pause", "steps": [
                { "id": "a", "type": "tool", "tool": "echo", "input": 1 },
                { "id": "p", "type": "parallel", "branches": {
                    "x": [ { "id": "x1", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 } }, { "id": "x2", "type": "tool", "tool": "echo" } ],
                    "y": [ { "id": "y1", "type": "tool", "tool": "echo", "input": 2 } ] } },
                { "id": "z", "type": "tool", "tool": "echo", "input": 3 } ] }
            """, null, expected: RunStatus.Completed, ignoredTypes: [LifecycleEventTypes.WorkflowSuspended, LifecycleEventTypes.WorkflowResumed],
            user: e => e switch
            {
                { Type: LifecycleEventTypes.StepStart, StepId: "p" } => [new SuspendRequested()],
                { Type: LifecycleEventTypes.WorkflowSuspended } => [new ResumeRequested()],
                _ => [],
            });

    [Fact]
    public void Redrives_repeated_and_racing_late_replies_of_the_failed_attempts_end_the_same_way_in_every_order() =>
        Holds("""
            { "id": "redrive", "steps": [
                { "id": "a", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 } },
                { "id": "p", "type": "parallel", "branches": {
                    "ok":  [ { "id": "x", "type": "tool", "tool": "echo", "input": "x" } ],
                    "bad": [ { "id": "y", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 } },
                             { "id": "z", "type": "tool", "tool": "fail-before-redrive", "input": { "redrives": 1 } } ] } },
                { "id": "each", "type": "foreach", "items": "input.items", "steps": [
                    { "id": "c", "type": "tool", "tool": "fail-before-redrive", "input": { "redrives": 2, "item": "${ item }" } } ] } ],
              "output": { "p": "${ steps.p }", "each": "${ steps.each }" } }
            """, JsonNode.Parse("""{ "items": [1, 2] }"""), expected: RunStatus.Completed,
            // Whoever watches the run redrives each failure it sees, twice (a retried HTTP call), from the event itself.
            user: e => e.Type == LifecycleEventTypes.WorkflowError
                ? [new RedriveRequested(e.Sequence), new RedriveRequested(e.Sequence)]
                : []);

    private static readonly Dictionary<string, string> Registry = new()
    {
        // Reserves its item, retries a flaky check, and refuses a damaged item (undoing its own reservation first).
        ["pack"] = """
            { "id": "pack", "steps": [
                { "id": "reserve", "type": "tool", "tool": "echo", "input": { "sku": "${ input.sku }" }, "compensate": { "tool": "undo", "input": "${ steps.reserve }" } },
                { "id": "check", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 } },
                { "id": "inspect", "type": "branch", "cases": [ { "when": "input.damaged == true", "steps": [ { "id": "refuse", "type": "tool", "tool": "fail" } ] } ], "default": [] },
                { "id": "label", "type": "tool", "tool": "echo", "input": { "label": "${ input.sku }" }, "compensate": { "tool": "undo" } } ],
              "output": { "packed": "${ steps.reserve.sku }" } }
            """,
        // Does one undoable step, then waits for a signal nobody sends.
        ["hold"] = """
            { "id": "hold", "steps": [
                { "id": "take", "type": "tool", "tool": "echo", "input": 1, "compensate": { "tool": "undo" } },
                { "id": "wait", "type": "wait", "signal": "never" } ] }
            """,
    };

    [Fact]
    public void A_foreach_of_child_runs_where_one_child_fails_compensates_across_the_children_in_reverse_in_every_order() =>
        Holds("""
            { "id": "parent", "steps": [
                { "id": "open", "type": "tool", "tool": "echo", "input": 1, "compensate": { "tool": "undo" } },
                { "id": "perItem", "type": "foreach", "items": "input.items", "steps": [
                    { "id": "pack", "type": "workflow", "workflowId": "pack", "input": "${ item }" } ] } ] }
            """, new { items = new object[] { new { sku = "a" }, new { sku = "b" }, new { sku = "c", damaged = true }, new { sku = "d" } } },
            expected: RunStatus.Compensated, registry: Registry,
            expectedPlan: ["perItem[1].pack/label", "perItem[1].pack/reserve", "perItem[0].pack/label", "perItem[0].pack/reserve", "open"]);

    [Fact]
    public void Child_runs_in_parallel_branches_and_inline_complete_the_same_way_in_every_order() =>
        Holds("""
            { "id": "parent", "steps": [
                { "id": "p", "type": "parallel", "branches": {
                    "x": [ { "id": "one", "type": "workflow", "workflowId": "pack", "input": { "sku": "x" } } ],
                    "y": [ { "id": "two", "type": "workflow", "input": { "v": 2 }, "definition": { "id": "inline", "steps": [
                              { "id": "f", "type": "tool", "tool": "flaky", "input": { "failTimes": 2 } },
                              { "id": "nested", "type": "workflow", "workflowId": "pack", "input": { "sku": "deep" } } ] } } ] } },
                { "id": "last", "type": "tool", "tool": "echo", "input": { "one": "${ steps.p.x }", "two": "${ steps.p.y }" } } ] }
            """, null, expected: RunStatus.Completed, registry: Registry);

    [Fact]
    public void Cancelling_the_parent_cancels_a_waiting_child_whatever_order_the_cancel_and_the_start_arrive_in() =>
        Holds("""
            { "id": "parent", "steps": [
                { "id": "a", "type": "tool", "tool": "echo", "input": 1, "compensate": { "tool": "undo" } },
                { "id": "sub", "type": "workflow", "workflowId": "hold" } ] }
            """, null, expected: RunStatus.Cancelled, registry: Registry,
            user: e => e is { Type: LifecycleEventTypes.StepStart, StepId: "sub" } ? [new CancelRequested("user said stop")] : [],
            childEnd: RunStatus.Cancelled);

    [Fact]
    public void Suspending_and_resuming_the_parent_reaches_its_child_and_changes_nothing_but_the_pause() =>
        Holds("""
            { "id": "parent", "steps": [
                { "id": "sub", "type": "workflow", "workflowId": "pack", "input": { "sku": "s" } },
                { "id": "z", "type": "tool", "tool": "echo", "input": "${ steps.sub }" } ] }
            """, null, expected: RunStatus.Completed, registry: Registry,
            ignoredTypes: [LifecycleEventTypes.WorkflowSuspended, LifecycleEventTypes.WorkflowResumed],
            user: e => e switch
            {
                { Type: LifecycleEventTypes.StepStart, StepId: "sub" } => [new SuspendRequested()],
                { Type: LifecycleEventTypes.WorkflowSuspended } => [new ResumeRequested()],
                _ => [],
            });

    private static void Holds(string json, object? input, RunStatus expected, bool concurrentCompensations = false,
        string[]? ignoredTypes = null, Func<WorkflowLifecycleEvent, IEnumerable<RunEvent>>? user = null,
        IReadOnlyDictionary<string, string>? registry = null, string[]? expectedPlan = null, RunStatus? childEnd = null)
    {
        var reference = SimulatedWorld.Run(json, input, order: null, user, registry);
        if (expectedPlan is not null)
        {
            Assert.Equal(expectedPlan, Assert.Single(reference.CompensationPlans));
        }

        Assert.Equal(expected, reference.State.Status);
        var expectedSignature = Signature(reference, concurrentCompensations, ignoredTypes ?? []);
        for (var seed = 1; seed <= Orders; seed++)
        {
            var world = SimulatedWorld.Run(json, input, new Random(seed), user, registry);
            var context = $"order #{seed}\n{string.Join("\n", world.Events.Select(Describe))}";
            WellFormed(world, context);
            ChildrenWellFormed(world, childEnd, context);
            var signature = Signature(world, concurrentCompensations, ignoredTypes ?? []);
            Assert.True(expectedSignature.Status == signature.Status, $"status {signature.Status}, not {expectedSignature.Status}; {context}");
            Assert.True(expectedSignature.Output == signature.Output, $"output {signature.Output}, not {expectedSignature.Output}; {context}");
            Assert.True(expectedSignature.Compensations.SequenceEqual(signature.Compensations),
                $"compensated [{string.Join(", ", signature.Compensations)}], not [{string.Join(", ", expectedSignature.Compensations)}]; {context}");
            var missing = expectedSignature.Events.Except(signature.Events).ToList();
            var extra = signature.Events.Except(expectedSignature.Events).ToList();
            Assert.True(expectedSignature.Events.SequenceEqual(signature.Events),
                $"events differ: missing [{string.Join("; ", missing)}], extra [{string.Join("; ", extra)}]; {context}");
        }
    }

    private sealed record RunSignature(RunStatus Status, string Output, IReadOnlyList<string> Compensations, IReadOnlyList<string> Events);

    private static RunSignature Signature(SimulatedWorld world, bool concurrentCompensations, string[] ignoredTypes)
    {
        var compensated = world.Events.Where(e => e.Type == LifecycleEventTypes.StepCompensated).Select(e => e.Path!).ToList();
        var events = world.Events
            .Where(e => !ignoredTypes.Contains(e.Type))
            .Select(e => $"{e.Type}|{e.StepId}|{e.Path}|{e.Attempt}|{Normalized(e, concurrentCompensations)}")
            .Order(StringComparer.Ordinal)
            .ToList();
        return new RunSignature(world.State.Status, world.State.Output?.ToJsonString() ?? "null",
            concurrentCompensations ? compensated.Order(StringComparer.Ordinal).ToList() : compensated, events);
    }

    /// <summary>Concurrent steps complete in the order their replies are processed; only their set is fixed then.</summary>
    private static string Normalized(WorkflowLifecycleEvent e, bool concurrentCompensations)
    {
        var data = e.Data is { } d ? JsonNode.Parse(d.GetRawText()) : null;
        if (concurrentCompensations && e.Type == LifecycleEventTypes.CompensationStart && data?["steps"] is JsonArray steps)
        {
            data["steps"] = new JsonArray(steps.Select(s => s!.GetValue<string>()).Order(StringComparer.Ordinal).Select(s => (JsonNode?)s).ToArray());
        }

        if (concurrentCompensations && e.Type == LifecycleEventTypes.StepCompensated)
        {
            data!.AsObject().Remove("completedAt"); // when the slip reached it depends on its place in the plan
        }

        return data?.ToJsonString() ?? "";
    }

    /// <summary>What every stream must be, in every order.</summary>
    private static void WellFormed(SimulatedWorld world, string context)
    {
        var events = world.Events;
        Assert.True(events.Select(e => e.Sequence).SequenceEqual(Enumerable.Range(1, events.Count).Select(i => (long)i)), $"Sequence is not 1..N; {context}");
        // A redrive follows the workflow-error it reopens; every other terminal event ends the stream.
        var redrives = events.Count(e => e.Type == LifecycleEventTypes.WorkflowRedriven);
        Assert.True(LifecycleEventTypes.IsTerminal(events[^1].Type) && events.Count(e => LifecycleEventTypes.IsTerminal(e.Type)) == 1 + redrives,
            $"the stream does not end with exactly one terminal event after each redrive; {context}");
        Assert.True(events.Select((e, i) => (e, i)).Where(x => x.e.Type == LifecycleEventTypes.WorkflowRedriven)
            .All(x => x.i > 0 && events[x.i - 1].Type == LifecycleEventTypes.WorkflowError), $"a workflow-redriven that does not follow a workflow-error; {context}");
        Assert.True(world.State.IsFinished, $"the run is stuck in {world.State.Status}; {context}");

        foreach (var e in events.Where(e => e.Path is not null))
        {
            Assert.True(e.StepId is not null, $"{e.Type} at {e.Path} has no StepId; {context}");
        }

        // A step's events: start, retries in attempt order, then exactly one of complete / error.
        // (Between redrives: a redriven step starts again.)
        var generation = events.Select((e, i) => events.Take(i).Count(p => p.Type == LifecycleEventTypes.WorkflowRedriven)).ToList();

        // A container a redrive reopened goes on without a new step-start: the workflow-redriven event names it.
        var reopened = events.Select((e, i) => (e, i)).Where(x => x.e.Type == LifecycleEventTypes.WorkflowRedriven)
            .SelectMany(x => JsonNode.Parse(x.e.Data!.Value.GetRawText())!["steps"]!.AsArray().Select(p => $"{p!.GetValue<string>()} (run {generation[x.i] + 1})"))
            .ToHashSet();
        foreach (var step in events.Select((e, i) => (e, i))
                     .Where(x => x.e.Type != LifecycleEventTypes.StepCompensated && x.e.Type != LifecycleEventTypes.CompensationError && x.e.Path is not null)
                     .GroupBy(x => $"{x.e.Path} (run {generation[x.i]})", x => x.e))
        {
            var types = step.Select(e => e.Type).ToList();
            Assert.True(types[0] == LifecycleEventTypes.StepStart || reopened.Contains(step.Key), $"{step.Key} does not begin with step-start; {context}");
            var retries = step.Where(e => e.Type == LifecycleEventTypes.StepRetry).Select(e => e.Attempt!.Value).ToList();
            Assert.True(retries.SequenceEqual(retries.Order()) && retries.Distinct().Count() == retries.Count, $"{step.Key} retries out of order; {context}");
            var ends = types.Count(t => t is LifecycleEventTypes.StepComplete or LifecycleEventTypes.StepError);
            Assert.True(ends <= 1, $"{step.Key} ended twice; {context}");
            if (ends == 1)
            {
                Assert.True(types[^1] is LifecycleEventTypes.StepComplete or LifecycleEventTypes.StepError, $"{step.Key} reported after its end; {context}");
            }
        }

        // Compensations: one plan, every planned step reported once, in the plan's order, before the end of compensation.
        Assert.True(world.CompensationPlans.Count <= 1, $"compensation started twice; {context}");
        if (world.CompensationPlans.Count == 1)
        {
            var plan = world.CompensationPlans[0];
            var compensated = events.Where(e => e.Type == LifecycleEventTypes.StepCompensated).Select(e => e.Path!).ToList();
            Assert.True(plan.Take(compensated.Count).SequenceEqual(compensated), $"compensated [{string.Join(", ", compensated)}] against plan [{string.Join(", ", plan)}]; {context}");
            // A child run's compensations stand at the place of the workflow step that ran it ("sub/reserve" at "sub").
            var owners = plan.Select(p => p.Split('/')[0]).Where((p, i) => i == 0 || p != plan[i - 1].Split('/')[0]).ToList();
            var completedInOrder = events.Where(e => e.Type == LifecycleEventTypes.StepComplete && owners.Contains(e.Path!)).Select(e => e.Path!).Reverse();
            Assert.True(owners.SequenceEqual(completedInOrder), $"plan [{string.Join(", ", plan)}] is not the reverse of completion; {context}");
            var end = events.FindIndex(e => e.Type is LifecycleEventTypes.CompensationComplete or LifecycleEventTypes.CompensationError);
            Assert.True(end >= 0 && events.FindLastIndex(e => e.Type == LifecycleEventTypes.StepCompensated) < end, $"a step-compensated after the end of compensation; {context}");
            if (events[end].Type == LifecycleEventTypes.CompensationComplete)
            {
                Assert.True(compensated.Count == plan.Count, $"compensation-complete before every step was compensated; {context}");
            }
        }
    }

    /// <summary>Every child run ended, after its parent's workflow-start, with a stream of its own; none was started twice.</summary>
    private static void ChildrenWellFormed(SimulatedWorld world, RunStatus? childEnd, string context)
    {
        foreach (var (runId, (_, state)) in world.Children)
        {
            Assert.True(state.IsFinished, $"child run {runId} is stuck in {state.Status}; {context}");
            if (childEnd is { } end)
            {
                Assert.Equal(end, state.Status);
            }

            var events = world.ChildEvents.Where(e => e.RunId == runId).ToList();
            Assert.True(events.Select(e => e.Sequence).SequenceEqual(Enumerable.Range(1, events.Count).Select(i => (long)i)), $"child {runId}: Sequence is not 1..N; {context}");
            Assert.Equal(LifecycleEventTypes.WorkflowStart, events[0].Type);
            Assert.True(events[0].Data!.Value.TryGetProperty("parent", out _), $"child {runId} does not name its parent; {context}");
            Assert.Single(events, e => LifecycleEventTypes.IsTerminal(e.Type));
        }

        // Each child named in a step-start (or a step-retry) is one run, started once.
        var named = world.Events.Concat(world.ChildEvents)
            .Where(e => e.Data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty("childRunId", out _))
            .Select(e => Guid.Parse(e.Data!.Value.GetProperty("childRunId").GetString()!))
            .ToHashSet();
        Assert.True(named.SetEquals(world.Children.Keys), $"children started [{string.Join(", ", world.Children.Keys)}] are not those named [{string.Join(", ", named)}]; {context}");
    }

    private static string Describe(WorkflowLifecycleEvent e) =>
        $"{e.Sequence} {e.Type} {e.Path} {e.Attempt} {(e.Data is { } d ? d.GetRawText() : "")}";
}
