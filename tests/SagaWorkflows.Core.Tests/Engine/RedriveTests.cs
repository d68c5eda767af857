using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

/// <summary>Redrive: a run that failed without compensating goes on from where it failed, keeping what completed.</summary>
public class RedriveTests
{
    private const string Sequential = """
    { "id": "seq", "steps": [
        { "id": "a", "type": "tool", "tool": "echo", "input": { "n": "${ input.n }" } },
        { "id": "b", "type": "tool", "tool": "charge" },
        { "id": "c", "type": "tool", "tool": "mail", "input": { "a": "${ steps.a.n }", "b": "${ steps.b }" } } ],
      "output": { "a": "${ steps.a }", "c": "${ steps.c }" } }
    """;

    [Fact]
    public void A_failed_run_goes_on_from_the_failed_step_keeping_completed_outputs_and_the_same_sequence()
    {
        var run = RunDriver.Start(Sequential, new { n = 1 });
        run.Complete("a", new { n = 1 });
        var failed = run.Pending("b");
        run.Fail("b");
        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.True(run.State.Redrivable);
        var errorAt = run.State.Sequence;
        Assert.Equal(LifecycleEventTypes.WorkflowError, run.Events[^1].Type);
        Assert.True(JsonNode.Parse(run.Events[^1].Data!.Value.GetRawText())!["redrivable"]!.GetValue<bool>());

        run.Redrive();

        var redriven = run.Events.Single(e => e.Type == LifecycleEventTypes.WorkflowRedriven);
        Assert.Equal(errorAt + 1, redriven.Sequence);
        var data = JsonNode.Parse(redriven.Data!.Value.GetRawText())!;
        Assert.Equal(errorAt, data["afterSequence"]!.GetValue<long>());
        Assert.Equal(1, data["redrive"]!.GetValue<int>());
        Assert.Equal("Boom", data["error"]!["type"]!.GetValue<string>());
        Assert.Equal(["b"], data["steps"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(RunStatus.Running, run.State.Status);

        // The failed step runs again as a new execution from attempt 1, with the input it had; the completed one does not.
        var again = run.Pending("b");
        Assert.NotEqual(failed.ExecutionId, again.ExecutionId);
        Assert.Equal(1, again.Attempt);
        Assert.Equal(failed.Input!.Value.GetRawText(), again.Input!.Value.GetRawText());
        Assert.Single(run.ToolCommands, c => c.Path == "a");
        Assert.Equal([LifecycleEventTypes.StepStart, LifecycleEventTypes.StepError, LifecycleEventTypes.StepStart], run.TypesAt("b"));

        run.Complete("b", "charged");
        Assert.Equal("""{"a":1,"b":"charged"}""", run.Pending("c").Input!.Value.GetRawText());
        run.Complete("c", "sent");
        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal("""{"a":{"n":1},"c":"sent"}""", run.State.Output!.ToJsonString());
        Assert.Equal(Enumerable.Range(1, run.Events.Count).Select(i => (long)i), run.Events.Select(e => e.Sequence));
    }

    [Fact]
    public void Late_reports_of_the_failed_attempts_and_repeated_redrives_change_nothing()
    {
        var run = RunDriver.Start(Sequential, new { n = 1 });
        run.Complete("a", new { n = 1 });
        var old = run.Pending("b");
        run.HandlePersisted(new StepRetryScheduled(old.ExecutionId, 1, 2, TimeSpan.FromSeconds(1), "Transient", "once"));
        run.HandlePersisted(new StepFailed(old.ExecutionId, 2, "Transient", "twice", false));
        var errorAt = run.State.Sequence;

        run.Redrive();
        var events = run.Events.Count;
        run.Redrive(errorAt);
        run.HandlePersisted(new RedriveRequested(errorAt));
        run.HandlePersisted(new StepRetryScheduled(old.ExecutionId, 1, 2, TimeSpan.FromSeconds(1), "Transient", "once"));
        run.HandlePersisted(new StepFailed(old.ExecutionId, 2, "Transient", "twice", false));
        run.HandlePersisted(new StepSucceeded(old.ExecutionId, 3, JsonValue.Create("stale")));
        Assert.Equal(events, run.Events.Count);
        Assert.Empty(run.RedriveRejections);
        Assert.Equal(RunStatus.Running, run.State.Status);

        // The new execution counts its attempts afresh.
        var fresh = run.Pending("b");
        run.HandlePersisted(new StepRetryScheduled(fresh.ExecutionId, 1, 2, TimeSpan.FromSeconds(1), "Transient", "again"));
        Assert.Equal(1, run.Events[^1].Attempt);
        Assert.Equal(LifecycleEventTypes.StepRetry, run.Events[^1].Type);
        run.HandlePersisted(new StepSucceeded(fresh.ExecutionId, 2, JsonValue.Create("ok")));
        run.Complete("c", "sent");
        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Single(run.Events, e => e.Type == LifecycleEventTypes.WorkflowRedriven);
    }

    [Fact]
    public void A_run_failed_again_after_a_redrive_is_redriven_again_and_an_unknown_failure_sequence_is_refused()
    {
        var run = RunDriver.Start(Sequential, new { n = 1 });
        run.Complete("a", new { n = 1 });
        run.Fail("b");
        var first = run.State.Sequence;
        run.Redrive();
        run.Fail("b");
        var second = run.State.Sequence;

        run.Redrive(first); // a copy of the first command: that failure was already redriven
        Assert.Empty(run.RedriveRejections);
        Assert.Equal(RunStatus.Failed, run.State.Status);

        run.Redrive(3);
        var refused = Assert.Single(run.RedriveRejections);
        Assert.Contains($"latest failure is event {second}", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(3, refused.AfterSequence);

        run.Redrive(second);
        Assert.Equal(RunStatus.Running, run.State.Status);
        Assert.Equal(3, run.ToolCommands.Count(c => c.Path == "b"));
        Assert.Equal(3, run.ToolCommands.Where(c => c.Path == "b").Select(c => c.ExecutionId).Distinct().Count());
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "completed", "completed: there is nothing to redrive" },
        { "compensated", "were compensated" },
        { "cancelled", "was cancelled" },
        { "running", "is still running (Running)" },
        { "rejected", "failed before it could run a step (InvalidInput" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_run_that_did_not_fail_without_compensating_is_refused_with_the_reason(string scenario, string reason)
    {
        RunDriver run;
        switch (scenario)
        {
            case "completed":
                run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""");
                run.Complete("a", 1);
                break;
            case "compensated":
                run = RunDriver.Start("""
                    { "id": "w", "steps": [
                        { "id": "a", "type": "tool", "tool": "echo", "compensate": { "tool": "undo" } },
                        { "id": "b", "type": "tool", "tool": "charge" } ] }
                    """);
                run.Complete("a", 1);
                run.Fail("b");
                run.HandlePersisted(new StepCompensationSucceeded("a", run.Now));
                run.HandlePersisted(new CompensationFinished(true, null, null));
                Assert.Equal(RunStatus.Compensated, run.State.Status);
                break;
            case "cancelled":
                run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "hold", "type": "wait", "signal": "go" } ] }""");
                run.HandlePersisted(new CancelRequested("stop"));
                Assert.Equal(RunStatus.Cancelled, run.State.Status);
                break;
            case "running":
                run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""");
                break;
            default:
                run = RunDriver.Start("""{ "id": "w", "inputSchema": { "type": "object", "required": ["n"] }, "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""",
                    new { m = 1 });
                Assert.Equal(RunStatus.Failed, run.State.Status);
                break;
        }

        var status = run.State.Status;
        var events = run.Events.Count;
        var commands = run.ToolCommands.Count;
        run.Redrive();

        var refused = Assert.Single(run.RedriveRejections);
        Assert.Contains(reason, refused.Reason, StringComparison.Ordinal);
        Assert.Equal(status, refused.Status);
        Assert.Equal(run.State.RunId, refused.RunId);
        Assert.Equal(status, run.State.Status);
        Assert.Equal(events, run.Events.Count);
        Assert.Equal(commands, run.ToolCommands.Count);
    }

    [Fact]
    public void Only_the_failed_parallel_branch_runs_again_and_completed_siblings_keep_their_results()
    {
        var run = RunDriver.Start("""
            { "id": "par", "steps": [ { "id": "p", "type": "parallel", "branches": {
                "ok":  [ { "id": "x", "type": "tool", "tool": "echo", "input": "x" } ],
                "bad": [ { "id": "y1", "type": "tool", "tool": "echo", "input": "y1" }, { "id": "y2", "type": "tool", "tool": "charge" } ] } } ] }
            """);
        run.Complete("p.y1", "Y1");
        run.Fail("p.y2");
        Assert.Equal(RunStatus.Running, run.State.Status); // the sibling in flight is waited for
        run.Complete("p.x", "X");
        Assert.Equal(RunStatus.Failed, run.State.Status);

        run.Redrive();
        var data = JsonNode.Parse(run.Events.Single(e => e.Type == LifecycleEventTypes.WorkflowRedriven).Data!.Value.GetRawText())!;
        Assert.Equal(["p", "p.y2"], data["steps"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("\"Y1\"", run.Pending("p.y2").Input!.Value.GetRawText());
        run.Complete("p.y2", "Y2");

        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal("""{"ok":"X","bad":"Y2"}""", run.State.Output!.ToJsonString());
        Assert.Single(run.ToolCommands, c => c.Path == "p.x");
        Assert.Single(run.ToolCommands, c => c.Path == "p.y1");
        Assert.Equal(2, run.ToolCommands.Count(c => c.Path == "p.y2"));
    }

    [Fact]
    public void A_foreach_keeps_its_completed_iterations_and_starts_the_ones_the_failure_held_back()
    {
        var run = RunDriver.Start("""
            { "id": "fe", "steps": [ { "id": "each", "type": "foreach", "items": "input.items", "concurrency": 2,
                "steps": [ { "id": "c", "type": "tool", "tool": "charge", "input": "${ item }" } ] } ] }
            """, JsonNode.Parse("""{ "items": [1, 2, 3, 4] }"""));
        run.Complete("each[0].c", 10);
        run.Fail("each[1].c");
        run.Complete("each[2].c", 30);
        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.DoesNotContain(run.ToolCommands, c => c.Path == "each[3].c");

        run.Redrive();
        Assert.Equal("2", run.Pending("each[1].c").Input!.Value.GetRawText());
        Assert.Equal("4", run.Pending("each[3].c").Input!.Value.GetRawText());
        run.Complete("each[3].c", 40);
        run.Complete("each[1].c", 20);

        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal("[10,20,30,40]", run.State.Output!.ToJsonString());
        Assert.Single(run.ToolCommands, c => c.Path == "each[0].c");
        Assert.Single(run.ToolCommands, c => c.Path == "each[2].c");
    }

    [Fact]
    public void A_loop_goes_on_in_the_iteration_that_failed()
    {
        var run = RunDriver.Start("""
            { "id": "loopy", "steps": [ { "id": "poll", "type": "loop", "until": "steps.check.done", "maxIterations": 5,
                "steps": [ { "id": "check", "type": "tool", "tool": "status", "input": { "i": "${ iteration }" } } ] } ] }
            """);
        run.Complete("poll#1.check", new { done = false });
        run.Fail("poll#2.check");
        run.Redrive();

        Assert.Equal("""{"i":2}""", run.Pending("poll#2.check").Input!.Value.GetRawText());
        run.Complete("poll#2.check", new { done = true });
        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Single(run.ToolCommands, c => c.Path == "poll#1.check");
    }

    [Fact]
    public void A_step_failed_by_its_timeout_runs_again_with_a_new_deadline()
    {
        var run = RunDriver.Start("""
            { "id": "slow", "steps": [ { "id": "s", "type": "tool", "tool": "slow", "timeout": "PT10S", "retry": { "maxAttempts": 1 } } ] }
            """);
        run.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Equal(ErrorTypes.Timeout, run.State.Error!.Type);

        run.Redrive();
        var again = run.Pending("s");
        Assert.Equal(1, again.Attempt);
        Assert.True(again.Deadline > run.Now, $"deadline {again.Deadline} is not after {run.Now}");
        Assert.NotNull(run.WakeAt);
        run.Complete("s", "done");
        Assert.Equal(RunStatus.Completed, run.State.Status);
    }

    [Fact]
    public void A_wait_failed_by_its_timeout_waits_again_and_a_signal_completes_it()
    {
        var run = RunDriver.Start("""
            { "id": "approve", "steps": [
                { "id": "a", "type": "tool", "tool": "echo" },
                { "id": "ok", "type": "wait", "signal": "approval", "timeout": "PT1H" } ] }
            """);
        run.Complete("a", 1);
        run.Advance(TimeSpan.FromHours(2));
        Assert.Equal(RunStatus.Failed, run.State.Status);

        run.Redrive();
        Assert.Equal(LifecycleEventTypes.StepSuspended, run.Events[^1].Type);
        Assert.Equal(run.Now + TimeSpan.FromHours(1), run.WakeAt);
        run.HandlePersisted(new SignalReceived("approval", JsonValue.Create("yes")));
        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal("\"yes\"", run.State.Output!.ToJsonString());
        Assert.Single(run.ToolCommands);
    }

    [Fact]
    public void A_run_that_failed_by_its_own_timeout_gets_the_whole_timeout_again()
    {
        var run = RunDriver.Start("""
            { "id": "late", "timeout": "PT1M", "steps": [ { "id": "hold", "type": "wait", "signal": "go" } ] }
            """);
        run.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(RunStatus.Failed, run.State.Status);

        run.Redrive();
        Assert.Equal(RunStatus.Running, run.State.Status);
        Assert.Equal(run.Now + TimeSpan.FromMinutes(1), run.State.Deadline);
        run.HandlePersisted(new SignalReceived("go", null));
        Assert.Equal(RunStatus.Completed, run.State.Status);
    }

    [Fact]
    public void A_workflow_step_whose_child_failed_starts_a_fresh_child_and_a_late_report_of_the_old_one_is_ignored()
    {
        var run = RunDriver.Start("""
            { "id": "parent", "steps": [
                { "id": "a", "type": "tool", "tool": "echo" },
                { "id": "sub", "type": "workflow", "workflowId": "child" } ] }
            """);
        run.Complete("a", 1);
        var first = run.RunMessages.OfType<StartWorkflow>().Single().RunId;
        run.HandlePersisted(new ChildRunEnded(first, nameof(RunStatus.Failed), null, new StepError("Boom", "child broke"), []));
        Assert.Equal(RunStatus.Failed, run.State.Status);

        run.Redrive();
        var second = run.RunMessages.OfType<StartWorkflow>().Last().RunId;
        Assert.NotEqual(first, second);
        Assert.Equal(2, run.RunMessages.OfType<StartWorkflow>().Count());

        run.HandlePersisted(new ChildRunEnded(first, nameof(RunStatus.Failed), null, new StepError("Boom", "late"), []));
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.HandlePersisted(new ChildRunEnded(second, nameof(RunStatus.Completed), JsonValue.Create("ok"), null, []));
        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Single(run.ToolCommands);
    }
}
