using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

public class TimersAndLifecycleTests
{
    [Fact]
    public void A_timed_out_attempt_is_retried_after_the_policy_delay_then_fails_when_attempts_run_out()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "t", "type": "tool", "tool": "nobody", "timeout": "PT10S",
                "retry": { "maxAttempts": 2, "initialInterval": "PT5S" } } ] }
            """);
        Assert.Equal(run.Now + TimeSpan.FromSeconds(12), run.WakeAt); // timeout + 1 s + 10 % grace

        run.Advance(TimeSpan.FromSeconds(12));
        var retry = run.Events[^1];
        Assert.Equal(("step-retry", 1), (retry.Type, retry.Attempt));
        Assert.Equal(5000, retry.Data!.Value.GetProperty("delayMs").GetInt64());
        Assert.Single(run.ToolCommands);

        run.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, run.ToolCommands.Count);
        Assert.Equal(2, run.ToolCommands[^1].Attempt);
        Assert.Equal(run.ToolCommands[0].ExecutionId, run.ToolCommands[^1].ExecutionId);

        run.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Equal("Timeout", run.Events.Single(e => e.Type == "step-error").Data!.Value.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public void A_worker_reported_retry_moves_the_attempt_on_and_emits_step_retry()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] }""");
        var command = run.Pending("t");

        run.HandlePersisted(new StepRetryScheduled(command.ExecutionId, 1, 2, TimeSpan.FromSeconds(1), "Transient", "try again"));
        run.HandlePersisted(new StepRetryScheduled(command.ExecutionId, 1, 2, TimeSpan.FromSeconds(1), "Transient", "try again"));
        run.HandlePersisted(new StepSucceeded(command.ExecutionId, 2, JsonValue.Create(1)));

        Assert.Single(run.Events, e => e.Type == "step-retry");
        Assert.Equal(2, run.Events.Single(e => e.Type == "step-complete").Attempt);
    }

    [Fact]
    public void Sleep_completes_when_its_timer_is_due_and_passes_its_input_through()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "nap", "type": "sleep", "duration": "PT1M" } ] }""", new { keep = 1 });
        Assert.Equal(run.Now + TimeSpan.FromMinutes(1), run.WakeAt);
        Assert.Equal([run.Now + TimeSpan.FromMinutes(1)], run.ScheduledWakes);

        run.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("""{"keep":1}""", run.State.Output!.ToJsonString());
    }

    [Fact]
    public void A_wait_times_out_into_a_step_error()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "approve", "type": "wait", "signal": "ok", "timeout": "PT1H" } ] }""");
        Assert.Equal("step-suspended", run.Events[^1].Type);
        Assert.Equal([run.Now + TimeSpan.FromHours(1)], run.ScheduledWakes);

        run.Advance(TimeSpan.FromHours(1));

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Equal("no 'ok' signal arrived within PT1H",
            run.Events.Single(e => e.Type == "step-error").Data!.Value.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public void Suspend_defers_new_dispatches_and_resume_continues_exactly_there()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "x" }, { "id": "b", "type": "tool", "tool": "x" } ] }""");
        run.HandlePersisted(new SuspendRequested());
        run.Complete("a", 1);

        Assert.Single(run.ToolCommands);
        Assert.Equal(RunStatus.Suspended, run.State.Status);

        run.HandlePersisted(new ResumeRequested());
        Assert.Equal("b", run.ToolCommands[^1].Path);
        run.Complete("b", 2);
        Assert.Equal(["workflow-suspended", "workflow-resumed", "workflow-complete"],
            run.Types.Where(t => t.StartsWith("workflow-", StringComparison.Ordinal) && t != "workflow-start"));
    }

    [Fact]
    public void Cancel_waits_for_in_flight_steps_then_compensates_in_reverse_completion_order()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [
                { "id": "p", "type": "parallel", "branches": {
                    "x": [ { "id": "x1", "type": "tool", "tool": "t", "compensate": { "tool": "undo", "input": { "id": "${ steps.x1.id }" } } } ],
                    "y": [ { "id": "y1", "type": "tool", "tool": "t", "compensate": { "tool": "undo" } } ] } },
                { "id": "after", "type": "tool", "tool": "t" } ] }
            """);
        run.Complete("p.y1", new { id = "Y" });
        run.HandlePersisted(new CancelRequested("stop"));
        Assert.Empty(run.Compensations);

        run.Complete("p.x1", new { id = "X" });

        var compensation = Assert.Single(run.Compensations);
        Assert.Equal(["p.x1", "p.y1"], compensation.Steps.Select(s => s.Path));
        Assert.Equal("""{"id":"X"}""", compensation.Steps[0].Input!.ToJsonString());
        Assert.DoesNotContain(run.ToolCommands, c => c.Path == "after");

        run.HandlePersisted(new StepCompensationSucceeded("p.x1", run.Now));
        run.HandlePersisted(new StepCompensationSucceeded("p.x1", run.Now));
        run.HandlePersisted(new StepCompensationSucceeded("p.y1", run.Now));
        run.HandlePersisted(new CompensationFinished(true, null, null));

        Assert.Equal(RunStatus.Cancelled, run.State.Status);
        Assert.Equal(["compensation-start", "step-compensated", "step-compensated", "compensation-complete", "workflow-cancelled"], run.Types.TakeLast(5));
        Assert.Equal(Enumerable.Range(1, run.Events.Count).Select(i => (long)i), run.Events.Select(e => e.Sequence));
    }

    [Fact]
    public void A_failed_compensation_ends_the_run_CompensationFailed()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "t", "compensate": { "tool": "undo" } }, { "id": "b", "type": "tool", "tool": "t" } ] }
            """);
        run.Complete("a", 1);
        run.Fail("b");
        Assert.Equal(RunStatus.Compensating, run.State.Status);

        run.HandlePersisted(new CompensationFinished(false, "a", "undo broke"));

        Assert.Equal(RunStatus.CompensationFailed, run.State.Status);
        Assert.Equal(["compensation-error", "workflow-error"], run.Types.TakeLast(2));
        Assert.Equal("CompensationFailed", run.Events[^1].Data!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public void Signals_are_rejected_when_nothing_waits_for_them_or_the_payload_does_not_match()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "approve", "type": "wait", "signal": "approval", "schema": { "type": "object", "required": ["by"] } } ] }
            """);

        run.HandlePersisted(new SignalReceived("other", null));
        run.HandlePersisted(new SignalReceived("approval", JsonNode.Parse("""{"who":"x"}""")));
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.HandlePersisted(new SignalReceived("approval", JsonNode.Parse("""{"by":"ann"}""")));
        run.HandlePersisted(new SignalReceived("approval", JsonNode.Parse("""{"by":"bob"}""")));

        Assert.Equal(3, run.Rejections.Count);
        Assert.Contains("not waiting for signal 'other'", run.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("$.by: is required", run.Rejections[1].Reason, StringComparison.Ordinal);
        Assert.Contains("already finished", run.Rejections[2].Reason, StringComparison.Ordinal);
        Assert.Equal("""{"by":"ann"}""", run.State.Output!.ToJsonString());
    }

    [Fact]
    public void The_run_timeout_fails_the_run()
    {
        var run = RunDriver.Start("""{ "id": "w", "timeout": "PT30S", "steps": [ { "id": "approve", "type": "wait", "signal": "s" } ] }""");
        Assert.Equal(run.Now + TimeSpan.FromSeconds(30), run.WakeAt);

        run.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Contains("the run did not finish within PT30S", run.Events[^1].Data!.Value.GetRawText(), StringComparison.Ordinal);
    }
}
