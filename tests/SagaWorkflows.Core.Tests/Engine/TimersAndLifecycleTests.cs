using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

public class TimersAndLifecycleTests
{
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
    public void The_run_timeout_fails_the_run()
    {
        var run = RunDriver.Start("""{ "id": "w", "timeout": "PT30S", "steps": [ { "id": "approve", "type": "wait", "signal": "s" } ] }""");
        Assert.Equal(run.Now + TimeSpan.FromSeconds(30), run.WakeAt);

        run.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Contains("the run did not finish within PT30S", run.Events[^1].Data!.Value.GetRawText(), StringComparison.Ordinal);
    }
}
