using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

/// <summary>The defects of issue 14, each pinned by the smallest run that showed it.</summary>
public class ReportedDefectsTests
{
    private const string ThreeCompensations = """
        { "id": "w", "steps": [
            { "id": "a", "type": "tool", "tool": "t", "compensate": { "tool": "undo" } },
            { "id": "b", "type": "tool", "tool": "t", "compensate": { "tool": "undo" } },
            { "id": "c", "type": "tool", "tool": "t", "compensate": { "tool": "undo" } },
            { "id": "d", "type": "tool", "tool": "t" } ] }
        """;

    [Fact]
    public void Compensation_reports_processed_out_of_order_still_give_every_step_compensated_in_reverse_before_the_end()
    {
        var run = RunDriver.Start(ThreeCompensations);
        run.Complete("a", 1);
        run.Complete("b", 2);
        run.Complete("c", 3);
        run.Fail("d");

        // The slip ran c, b, a; the runs' queue delivered its reports as the end first, then a, c, b.
        run.HandlePersisted(new CompensationFinished(true, null, null));
        Assert.Equal(RunStatus.Compensating, run.State.Status);
        run.HandlePersisted(new StepCompensationSucceeded("a", run.Now));
        run.HandlePersisted(new StepCompensationSucceeded("c", run.Now));
        Assert.Equal(RunStatus.Compensating, run.State.Status);
        run.HandlePersisted(new StepCompensationSucceeded("b", run.Now));

        Assert.Equal(RunStatus.Compensated, run.State.Status);
        Assert.All(run.State.CompensationLog, e => Assert.True(e.Compensated));
        Assert.Equal(["c", "b", "a"], run.Events.Where(e => e.Type == "step-compensated").Select(e => e.Path));
        Assert.Equal(["compensation-start", "step-compensated", "step-compensated", "step-compensated", "compensation-complete", "workflow-error"],
            run.Types.TakeLast(6));
    }

    [Fact]
    public void A_compensation_that_failed_is_reported_after_the_compensations_that_ran_before_it_whatever_their_arrival()
    {
        var run = RunDriver.Start(ThreeCompensations);
        run.Complete("a", 1);
        run.Complete("b", 2);
        run.Complete("c", 3);
        run.Fail("d");

        run.HandlePersisted(new CompensationFinished(false, "a", "undo broke"));
        run.HandlePersisted(new StepCompensationSucceeded("b", run.Now));
        Assert.Equal(RunStatus.Compensating, run.State.Status);
        run.HandlePersisted(new StepCompensationSucceeded("c", run.Now));

        Assert.Equal(RunStatus.CompensationFailed, run.State.Status);
        Assert.Equal(["step-compensated", "step-compensated", "compensation-error", "workflow-error"], run.Types.TakeLast(4));
        var error = run.Events[^2];
        Assert.Equal(("a", "a"), (error.StepId, error.Path));
    }

    [Fact]
    public void Every_step_scoped_event_names_its_step_and_path_at_the_top_level()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [
                { "id": "a", "type": "tool", "tool": "t", "compensate": { "tool": "undo" } },
                { "id": "b", "type": "tool", "tool": "t", "compensate": { "tool": "undo" } },
                { "id": "hold", "type": "wait", "signal": "go" },
                { "id": "c", "type": "tool", "tool": "t" } ] }
            """);
        var a = run.Pending("a");
        run.HandlePersisted(new StepRetryScheduled(a.ExecutionId, 1, 2, TimeSpan.FromSeconds(1), "Transient", "again"));
        run.HandlePersisted(new StepSucceeded(a.ExecutionId, 2, JsonValue.Create(1)));
        run.Complete("b", 2);
        run.HandlePersisted(new SignalReceived("go", null));
        run.Fail("c");
        run.HandlePersisted(new StepCompensationSucceeded("b", run.Now));
        run.HandlePersisted(new CompensationFinished(false, "a", "undo broke"));

        var stepScoped = new[] { "step-start", "step-complete", "step-error", "step-retry", "step-suspended", "step-compensated", "compensation-error" };
        Assert.Equal(stepScoped.Order(), run.Types.Where(stepScoped.Contains).Distinct().Order());
        Assert.All(run.Events.Where(e => stepScoped.Contains(e.Type)), e =>
        {
            Assert.False(string.IsNullOrEmpty(e.StepId), $"{e.Type} has no StepId");
            Assert.False(string.IsNullOrEmpty(e.Path), $"{e.Type} has no Path");
        });
        Assert.Equal(("b", "b", "tool"), run.Events.Where(e => e.Type == "step-compensated").Select(e => (e.StepId, e.Path, e.StepType)).Single());
    }
}
