using System.Text.Json;
using MassTransit;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;

namespace SagaWorkflows.IntegrationTests.Runs;

public sealed class CompensationRunTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string FourSteps(string lastTool, string compensationTool = "echo") => $$"""
    {
      "id": "four-steps",
      "steps": [
        { "id": "s1", "type": "tool", "tool": "echo", "input": { "n": 1 }, "compensate": { "tool": "{{compensationTool}}", "input": { "undo": "${ steps.s1.n }" } } },
        { "id": "s2", "type": "tool", "tool": "echo", "input": { "n": 2 }, "compensate": { "tool": "{{compensationTool}}", "input": { "undo": "${ steps.s2.n }" } } },
        { "id": "s3", "type": "tool", "tool": "echo", "input": { "n": 3 }, "compensate": { "tool": "{{compensationTool}}", "input": { "undo": "${ steps.s3.n }" } } },
        { "id": "s4", "type": "tool", "tool": "{{lastTool}}", "input": { "errorType": "Boom", "message": "step four broke" }, "retry": { "maxAttempts": 1 } }
      ]
    }
    """;

    [Fact]
    public async Task A_run_whose_fourth_step_fails_compensates_steps_three_two_one_in_that_order()
    {
        var runId = await system.StartRunAsync(FourSteps("fail"));

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var compensated = events.Where(e => e.Type == LifecycleEventTypes.StepCompensated).ToList();
        Assert.Equal(["s3", "s2", "s1"], compensated.Select(e => e.Path));
        var ranAt = compensated.Select(e => e.Data!.Value.GetProperty("completedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(ranAt.Order(), ranAt);
        Assert.Equal(
            [LifecycleEventTypes.StepError, LifecycleEventTypes.CompensationStart, LifecycleEventTypes.StepCompensated, LifecycleEventTypes.StepCompensated,
             LifecycleEventTypes.StepCompensated, LifecycleEventTypes.CompensationComplete, LifecycleEventTypes.WorkflowError],
            events.SkipWhile(e => e.Type != LifecycleEventTypes.StepError).Select(e => e.Type));
        Assert.Equal("Compensated", events[^1].Data!.Value.GetProperty("status").GetString());
        Assert.Equal("Boom", events[^1].Data!.Value.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_compensation_that_fails_ends_the_run_CompensationFailed()
    {
        var runId = await system.StartRunAsync(FourSteps("fail", compensationTool: "fail"));

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Contains(events, e => e.Type == LifecycleEventTypes.CompensationError && e.Path == "s3");
        Assert.DoesNotContain(events, e => e.Type == LifecycleEventTypes.CompensationComplete);
        Assert.Equal(LifecycleEventTypes.WorkflowError, events[^1].Type);
        Assert.Equal("CompensationFailed", events[^1].Data!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cancel_mid_run_records_the_in_flight_step_then_compensates_what_completed()
    {
        const string definition = """
        { "id": "cancel-me", "steps": [
            { "id": "a", "type": "tool", "tool": "echo", "compensate": { "tool": "echo" } },
            { "id": "b", "type": "tool", "tool": "delay", "input": { "ms": 1500 }, "compensate": { "tool": "echo" } },
            { "id": "c", "type": "tool", "tool": "echo", "compensate": { "tool": "echo" } } ] }
        """;
        var runId = await system.StartRunAsync(definition);
        await system.Events.WaitForAsync(runId, e => e.Any(x => x.Type == LifecycleEventTypes.StepStart && x.Path == "b"), Timeout, system.Diagnostics);

        await system.Bus.Publish(new CancelWorkflow { RunId = runId, Reason = "customer changed their mind" });
        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Contains(events, e => e.Type == LifecycleEventTypes.StepComplete && e.Path == "b");
        Assert.DoesNotContain(events, e => e.Path == "c");
        Assert.Equal(["b", "a"], events.Where(e => e.Type == LifecycleEventTypes.StepCompensated).Select(e => e.Path));
        Assert.Equal(LifecycleEventTypes.WorkflowCancelled, events[^1].Type);
        Assert.Equal("customer changed their mind", events[^1].Data!.Value.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_foreach_of_child_runs_where_one_child_fails_compensates_across_the_children_in_reverse_order()
    {
        const string definition = """
        { "id": "pack-order", "steps": [
            { "id": "open", "type": "tool", "tool": "echo", "input": { "order": 7 }, "compensate": { "tool": "echo" } },
            { "id": "perItem", "type": "foreach", "items": "input.items", "steps": [
                { "id": "pack", "type": "workflow", "input": "${ item }", "definition": { "id": "pack-item", "steps": [
                    { "id": "reserve", "type": "tool", "tool": "echo", "input": { "sku": "${ input.sku }" }, "compensate": { "tool": "echo" } },
                    { "id": "inspect", "type": "branch", "cases": [ { "when": "input.damaged == true", "steps": [
                        { "id": "refuse", "type": "tool", "tool": "fail", "input": { "errorType": "Damaged", "message": "damaged" }, "retry": { "maxAttempts": 1 } } ] } ],
                      "default": [] } ],
                  "output": { "packed": "${ steps.reserve.sku }" } } } ] } ] }
        """;
        var runId = await system.StartRunAsync(definition, new { items = new object[] { new { sku = "apple" }, new { sku = "pear" }, new { sku = "plum", damaged = true } } });

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(["perItem[1].pack/reserve", "perItem[0].pack/reserve", "open"],
            events.Where(e => e.Type == LifecycleEventTypes.StepCompensated).Select(e => e.Path));
        Assert.Equal("Compensated", events[^1].Data!.Value.GetProperty("status").GetString());
        Assert.Equal("Damaged", events[^1].Data!.Value.GetProperty("error").GetProperty("type").GetString());

        // Each child is a run of its own: named by the parent's step-start, naming its parent, with its own gapless stream.
        var children = events.Where(e => e.Type == LifecycleEventTypes.StepStart && e.StepId == "pack")
            .Select(e => (Path: e.Path!, RunId: Guid.Parse(e.Data!.Value.GetProperty("childRunId").GetString()!))).ToList();
        Assert.Equal(["perItem[0].pack", "perItem[1].pack", "perItem[2].pack"], children.Select(c => c.Path));
        string[] ends = [LifecycleEventTypes.WorkflowComplete, LifecycleEventTypes.WorkflowComplete, LifecycleEventTypes.WorkflowError];
        foreach (var (child, end) in children.Zip(ends))
        {
            var childEvents = await system.Events.WaitForTerminalAsync(child.RunId, Timeout, system.Diagnostics);
            Assert.Equal(Enumerable.Range(1, childEvents.Count).Select(i => (long)i), childEvents.Select(e => e.Sequence));
            var parent = childEvents[0].Data!.Value.GetProperty("parent");
            Assert.Equal((runId.ToString(), child.Path), (parent.GetProperty("runId").GetString(), parent.GetProperty("path").GetString()));
            Assert.Equal(end, childEvents[^1].Type);
        }

        // The failed child undid its own reservation before it reported; the parent undid the completed children's.
        var failed = system.Events.Of(children[2].RunId);
        Assert.Equal(["reserve"], failed.Where(e => e.Type == LifecycleEventTypes.StepCompensated).Select(e => e.Path));
    }
}

public sealed class SuspendAndSignalRunTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Suspend_then_restart_the_orchestrator_then_resume_completes_the_run()
    {
        const string definition = """
        { "id": "pausable", "steps": [
            { "id": "a", "type": "tool", "tool": "delay", "input": { "ms": 800, "v": 1 } },
            { "id": "b", "type": "tool", "tool": "echo" },
            { "id": "c", "type": "tool", "tool": "echo" } ] }
        """;
        var runId = await system.StartRunAsync(definition);
        await system.Events.WaitForAsync(runId, e => e.Any(x => x.Type == LifecycleEventTypes.StepStart && x.Path == "a"), Timeout, system.Diagnostics);
        await system.Bus.Publish(new SuspendWorkflow { RunId = runId });

        // The in-flight step finishes and is recorded; the next one waits for resume.
        await system.Events.WaitForAsync(runId, e => e.Any(x => x.Type == LifecycleEventTypes.StepComplete && x.Path == "a")
            && e.Any(x => x.Type == LifecycleEventTypes.WorkflowSuspended), Timeout, system.Diagnostics);
        system.Orchestrator!.Kill();
        await system.StartOrchestratorAsync();
        var beforeResume = system.Events.Of(runId);
        Assert.DoesNotContain(beforeResume, e => e.Type == LifecycleEventTypes.StepComplete && e.Path == "b");

        await system.Bus.Publish(new ResumeWorkflow { RunId = runId });
        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        Assert.Contains(events, e => e.Type == LifecycleEventTypes.WorkflowResumed);
        Assert.Equal("""{"ms":800,"v":1}""", JsonSerializer.Serialize(events[^1].Data!.Value.GetProperty("output")));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Two_waits_in_parallel_branches_are_resumed_independently()
    {
        const string definition = """
        { "id": "two-waits", "steps": [ { "id": "both", "type": "parallel", "branches": {
            "left":  [ { "id": "waitLeft", "type": "wait", "signal": "left" } ],
            "right": [ { "id": "waitRight", "type": "wait", "signal": "right", "schema": { "type": "object", "required": ["ok"] } } ] } } ],
          "output": "${ steps.both }" }
        """;
        var runId = await system.StartRunAsync(definition);
        await system.Events.WaitForAsync(runId, e => e.Count(x => x.Type == LifecycleEventTypes.StepSuspended) == 2, Timeout, system.Diagnostics);

        await system.Bus.Publish(new SignalWorkflow { RunId = runId, Signal = "left", Payload = JsonSerializer.SerializeToElement(new { who = "L" }) });
        await system.Events.WaitForAsync(runId, e => e.Any(x => x.Type == LifecycleEventTypes.StepComplete && x.Path == "both.waitLeft"), Timeout, system.Diagnostics);
        Assert.DoesNotContain(system.Events.Of(runId), e => e.Path == "both.waitRight" && e.Type == LifecycleEventTypes.StepComplete);

        // An invalid payload is rejected with the reason and the wait goes on.
        await system.Bus.Publish(new SignalWorkflow { RunId = runId, Signal = "right", Payload = JsonSerializer.SerializeToElement(new { nope = 1 }) });
        var rejection = await system.Events.WaitForRejectionAsync(runId, Timeout);
        Assert.Contains("$.ok: is required", rejection.Reason, StringComparison.Ordinal);

        await system.Bus.Publish(new SignalWorkflow { RunId = runId, Signal = "right", Payload = JsonSerializer.SerializeToElement(new { ok = true }) });
        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        Assert.Equal("""{"left":{"who":"L"},"right":{"ok":true}}""", JsonSerializer.Serialize(events[^1].Data!.Value.GetProperty("output")));
    }

    [Fact]
    public async Task A_signal_for_an_unknown_run_is_rejected_with_a_reason()
    {
        var runId = NewId.NextGuid();
        await system.Bus.Publish(new SignalWorkflow { RunId = runId, Signal = "approval" });

        var rejection = await system.Events.WaitForRejectionAsync(runId, Timeout);

        Assert.Equal("approval", rejection.Signal);
        Assert.Contains("no run", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signal_the_run_is_not_waiting_for_is_rejected_and_the_run_goes_on()
    {
        const string definition = """
        { "id": "waits-for-approval", "steps": [ { "id": "approve", "type": "wait", "signal": "approval" }, { "id": "done", "type": "tool", "tool": "echo" } ] }
        """;
        var runId = await system.StartRunAsync(definition);
        await system.Events.WaitForAsync(runId, e => e.Any(x => x.Type == LifecycleEventTypes.StepSuspended), Timeout, system.Diagnostics);

        await system.Bus.Publish(new SignalWorkflow { RunId = runId, Signal = "rejection" });
        var rejection = await system.Events.WaitForRejectionAsync(runId, Timeout);
        await system.Bus.Publish(new SignalWorkflow { RunId = runId, Signal = "approval", Payload = JsonSerializer.SerializeToElement(new { by = "ann" }) });
        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Contains("not waiting for signal 'rejection'", rejection.Reason, StringComparison.Ordinal);
        Assert.Equal("""{"by":"ann"}""", JsonSerializer.Serialize(events[^1].Data!.Value.GetProperty("output")));
    }
}
