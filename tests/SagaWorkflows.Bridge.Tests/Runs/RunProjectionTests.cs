using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;
using T = SagaWorkflows.Contracts.LifecycleEventTypes;

namespace SagaWorkflows.Bridge.Tests.Runs;

public sealed class RunProjectionTests
{
    [Fact]
    public void A_running_run_shows_the_retrying_step_with_its_attempt_and_error()
    {
        var run = new TestRun();
        var snapshot = RunProjection.Project([
            run.Event(1, T.WorkflowStart),
            run.Event(2, T.StepStart, "reserve", 1),
            run.Event(3, T.StepRetry, "reserve", 1, new { attempt = 1, nextAttempt = 2, delayMs = 200, error = new { type = "Transient", message = "busy" } }),
        ]);

        Assert.Equal(RunStatus.Running, snapshot.Status);
        Assert.Equal(run.WorkflowId, snapshot.WorkflowId);
        var step = Assert.Single(snapshot.Steps);
        Assert.Equal(StepStatus.Retrying, step.Status);
        Assert.Equal(1, step.Attempts);
        Assert.Equal("Transient", step.Error!.Value.GetProperty("type").GetString());
        Assert.Equal(200, Assert.Single(step.Retries).Data!.Value.GetProperty("delayMs").GetInt32());
        Assert.Null(step.CompletedAt);
        Assert.Null(step.Duration);
    }

    [Fact]
    public void A_workflow_step_links_its_latest_child_run_and_a_child_run_links_its_parent()
    {
        var parent = new TestRun();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var snapshot = RunProjection.Project([
            parent.Event(1, T.WorkflowStart),
            parent.Event(2, T.StepStart, "pack", data: new { input = new { sku = "a" }, childRunId = first, workflowId = "pack-item" }, stepType: "workflow"),
            parent.Event(3, T.StepRetry, "pack", 1, new { attempt = 1, nextAttempt = 2, delayMs = 10, error = new { type = "Boom", message = "x" }, childRunId = second }, "workflow"),
            parent.Event(4, T.StepComplete, "pack", data: new { output = new { packed = "a" } }, stepType: "workflow"),
            parent.Event(5, T.StepError, "boom", 1, new { error = new { type = "Boom", message = "x" } }),
            parent.Event(6, T.CompensationStart),
            parent.Event(7, T.StepCompensated, "pack/reserve", data: new { stepId = "reserve", tool = "undo" }),
        ]);

        var pack = snapshot.Steps.Single(s => s.Path == "pack");
        Assert.Equal(second, pack.ChildRunId);
        Assert.Equal(CompensationStatus.Compensated, pack.Compensation);
        Assert.Equal(("workflow", "pack"), (pack.Type, pack.StepId));
        Assert.DoesNotContain(snapshot.Steps, s => s.Path.Contains('/', StringComparison.Ordinal));
        Assert.Null(snapshot.ParentRunId);

        var child = new TestRun();
        var childSnapshot = RunProjection.Project([child.Event(1, T.WorkflowStart, data: new { input = new { sku = "a" }, version = 1, parent = new { runId = parent.RunId, path = "perItem[3].pack", depth = 1 } })]);
        Assert.Equal(parent.RunId, childSnapshot.ParentRunId);
        Assert.Equal("perItem[3].pack", childSnapshot.ParentPath);
    }

    [Fact]
    public void Iterations_are_ordered_by_index_and_take_their_status_from_their_steps()
    {
        var run = new TestRun();
        var snapshot = RunProjection.Project([
            run.Event(1, T.WorkflowStart),
            run.Event(2, T.StepStart, "perItem", stepType: "foreach"),
            run.Event(3, T.StepStart, "perItem[2].charge", 1),
            run.Event(4, T.StepStart, "perItem[10].charge", 1),
            run.Event(5, T.StepStart, "perItem[1].charge", 1),
            run.Event(6, T.StepComplete, "perItem[1].charge", 1),
        ]);

        var iterations = Assert.Single(snapshot.Steps).Children;
        Assert.Equal(["perItem[1]", "perItem[2]", "perItem[10]"], iterations.Select(i => i.Path));
        Assert.Equal([StepStatus.Completed, StepStatus.Running, StepStatus.Running], iterations.Select(i => i.Status));
        Assert.Equal("[10]", iterations[2].Label);
    }

    [Fact]
    public void A_child_seen_before_its_container_is_still_nested_under_it()
    {
        var run = new TestRun();
        var snapshot = RunProjection.Project([
            run.Event(1, T.StepStart, "ship.makeLabel", 1),
            run.Event(2, T.StepStart, "ship", stepType: "parallel"),
        ]);

        var ship = Assert.Single(snapshot.Steps);
        Assert.Equal("parallel", ship.Type);
        Assert.Equal(StepStatus.Running, ship.Status);
        Assert.Equal("ship.makeLabel", Assert.Single(ship.Children).Path);
    }

    [Theory]
    [InlineData(T.WorkflowComplete, RunStatus.Completed)]
    [InlineData(T.WorkflowError, RunStatus.Failed)]
    [InlineData(T.WorkflowCancelled, RunStatus.Cancelled)]
    public void The_terminal_event_decides_the_status(string terminal, RunStatus status)
    {
        var run = new TestRun();
        var snapshot = RunProjection.Project([run.Event(1, T.WorkflowStart), run.Event(2, terminal)]);

        Assert.Equal(status, snapshot.Status);
        Assert.Equal(terminal, snapshot.Outcome);
        Assert.Equal(100, snapshot.DurationMs);
    }

    [Fact]
    public void A_failed_compensation_is_not_hidden_by_the_workflow_error_after_it()
    {
        var run = new TestRun();
        var snapshot = RunProjection.Project([
            run.Event(1, T.WorkflowStart),
            run.Event(2, T.StepStart, "reserve", 1),
            run.Event(3, T.StepComplete, "reserve", 1),
            run.Event(4, T.CompensationStart),
            run.Event(5, T.CompensationError, "reserve", 1, new { errorType = "ReleaseFailed", message = "gone" }),
            run.Event(6, T.WorkflowError),
        ]);

        Assert.Equal(RunStatus.CompensationFailed, snapshot.Status);
        Assert.Equal(CompensationStatus.CompensationFailed, snapshot.Compensation);
        Assert.Equal(CompensationStatus.CompensationFailed, snapshot.Steps[0].Compensation);
        Assert.Equal("ReleaseFailed", snapshot.Steps[0].CompensationError!.Value.GetProperty("errorType").GetString());
    }

    [Fact]
    public void Events_are_folded_in_sequence_order_once_each_and_held_behind_a_gap()
    {
        var run = new TestRun();
        var projection = new RunProjection();

        Assert.Empty(projection.Apply(run.Event(3, T.StepComplete, "reserve", 1)));
        Assert.Empty(projection.Apply(run.Event(3, T.StepComplete, "reserve", 1)));
        Assert.Equal([1L], projection.Apply(run.Event(1, T.WorkflowStart)).Select(e => e.Sequence));
        Assert.Equal(1, projection.Snapshot().HeldEvents);
        Assert.Equal([2L, 3L], projection.Apply(run.Event(2, T.StepStart, "reserve", 1)).Select(e => e.Sequence));
        Assert.Empty(projection.Apply(run.Event(2, T.StepStart, "reserve", 1)));

        var snapshot = projection.Snapshot();
        Assert.Equal(3, snapshot.LastSequence);
        Assert.Equal(0, snapshot.HeldEvents);
        Assert.Equal(StepStatus.Completed, Assert.Single(snapshot.Steps).Status);
    }

    [Fact]
    public void A_step_still_waiting_when_the_run_ends_is_stopped_at_the_run_end()
    {
        var run = new TestRun();
        var snapshot = RunProjection.Project([
            run.Event(1, T.WorkflowStart),
            run.Event(2, T.StepStart, "approve", stepType: "wait"),
            run.Event(3, T.StepSuspended, "approve", data: new { signal = "approval" }, stepType: "wait"),
            run.Event(4, T.WorkflowCancelled, data: new { reason = "changed my mind", status = "Cancelled" }),
        ]);

        var approve = Assert.Single(snapshot.Steps);
        Assert.Equal(StepStatus.Stopped, approve.Status);
        Assert.Equal("approval", approve.Signal);
        Assert.Equal(snapshot.CompletedAt, approve.CompletedAt);
        Assert.Equal(200, approve.DurationMs);
    }

    [Fact]
    public void An_event_of_another_run_is_refused()
    {
        var projection = new RunProjection();
        projection.Apply(new TestRun().Event(1, T.WorkflowStart));

        var problem = Assert.Throws<ArgumentException>(() => projection.Apply(new TestRun().Event(2, T.StepStart, "x")));
        Assert.Contains("belongs to run", problem.Message, StringComparison.Ordinal);
    }
}
