using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>parallel</c>: how it is read (named branches) and how it runs (every branch at once, output by branch).</summary>
public class ParallelNodeTests
{
    [Fact]
    public void Parallel_step_keeps_its_branches_in_definition_order_with_nested_paths()
    {
        var parallel = Single<ParallelStep>("""
            { "id": "ship", "type": "parallel", "branches": {
                "label":  [ { "id": "makeLabel", "type": "tool", "tool": "shipping.label" },
                            { "id": "print", "type": "tool", "tool": "printer" } ],
                "notify": [ { "id": "email", "type": "tool", "tool": "mail.send" } ],
                "nothing": [] } }
            """);

        Assert.Equal("parallel", parallel.Type);
        Assert.Equal(["label", "notify", "nothing"], parallel.Branches.Select(b => b.Key));
        Assert.Equal(["makeLabel", "print"], parallel.Branches[0].Value.Select(s => s.Id));
        Assert.Equal("$.steps[0].branches.label[1]", parallel.Branches[0].Value[1].JsonPath);
        Assert.Equal("mail.send", Assert.IsType<ToolStep>(Assert.Single(parallel.Branches[1].Value)).Tool);
        Assert.Empty(parallel.Branches[2].Value);
    }

    [Fact]
    public void Parallel_dispatches_every_branch_at_once_and_outputs_each_branch_last_output()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "ship", "type": "parallel", "branches": {
                "label": [ { "id": "makeLabel", "type": "tool", "tool": "label" }, { "id": "print", "type": "tool", "tool": "print" } ],
                "notify": [ { "id": "email", "type": "tool", "tool": "mail" } ] } } ],
              "output": "${ steps.ship }" }
            """, new { order = 1 });

        Assert.Equal(["ship.makeLabel", "ship.email"], run.ToolCommands.Select(c => c.Path));
        run.Complete("ship.email", "mailed");
        run.Complete("ship.makeLabel", "L1");
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.Complete("ship.print", "printed");

        Assert.Equal("""{"label":"printed","notify":"mailed"}""", run.State.Output!.ToJsonString());
        Assert.Equal("step-complete", run.TypesAt("ship").Last());
    }

    [Fact]
    public void A_failure_in_one_parallel_branch_waits_for_in_flight_siblings_then_fails()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "p", "type": "parallel", "branches": {
                "a": [ { "id": "a1", "type": "tool", "tool": "x" }, { "id": "a2", "type": "tool", "tool": "x" } ],
                "b": [ { "id": "b1", "type": "tool", "tool": "x" } ] } } ] }
            """);

        run.Fail("p.b1");
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.Complete("p.a1", 1);

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.DoesNotContain(run.ToolCommands, c => c.Path == "p.a2");
        Assert.Equal("workflow-error", run.Events[^1].Type);
    }
}
