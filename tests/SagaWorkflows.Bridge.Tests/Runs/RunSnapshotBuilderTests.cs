using SagaWorkflows.Bridge.Runs;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using T = SagaWorkflows.Contracts.LifecycleEventTypes;

namespace SagaWorkflows.Bridge.Tests.Runs;

public sealed class RunSnapshotBuilderTests
{
    [Fact]
    public void A_running_run_shows_the_retrying_step_with_its_attempt_and_error()
    {
        var run = new TestRun();
        var snapshot = RunSnapshotBuilder.Build(run.RunId, "", [
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
    public void Iterations_are_ordered_by_index_and_take_their_status_from_their_steps()
    {
        var run = new TestRun();
        var snapshot = RunSnapshotBuilder.Build(run.RunId, "", [
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
        var snapshot = RunSnapshotBuilder.Build(run.RunId, "", [
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
    public void The_terminal_event_decides_the_status(string terminal, string status)
    {
        var run = new TestRun();
        var snapshot = RunSnapshotBuilder.Build(run.RunId, "", [run.Event(1, T.WorkflowStart), run.Event(2, terminal)]);

        Assert.Equal(status, snapshot.Status);
        Assert.Equal(100, snapshot.DurationMs);
    }

    [Fact]
    public void A_failed_compensation_is_not_hidden_by_the_workflow_error_after_it()
    {
        var run = new TestRun();
        var snapshot = RunSnapshotBuilder.Build(run.RunId, "", [
            run.Event(1, T.WorkflowStart),
            run.Event(2, T.StepStart, "reserve", 1),
            run.Event(3, T.StepComplete, "reserve", 1),
            run.Event(4, T.CompensationStart),
            run.Event(5, T.CompensationError, "reserve", 1, new { errorType = "ReleaseFailed", message = "gone" }),
            run.Event(6, T.WorkflowError),
        ]);

        Assert.Equal(RunStatus.CompensationFailed, snapshot.Status);
        Assert.Equal(CompensationStatus.Failed, snapshot.Compensation);
        Assert.Equal(CompensationStatus.Failed, snapshot.Steps[0].Compensation);
        Assert.Equal("ReleaseFailed", snapshot.Steps[0].CompensationError!.Value.GetProperty("errorType").GetString());
    }
}
