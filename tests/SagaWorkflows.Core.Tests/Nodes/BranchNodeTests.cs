using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>branch</c>: how it is read (cases, default) and how it runs (first true case, else default).</summary>
public class BranchNodeTests
{
    [Fact]
    public void Branch_step_reads_cases_in_order_and_default()
    {
        var branch = Single<BranchStep>("""
            { "id": "route", "type": "branch",
              "cases": [ { "when": "input.total > 1000", "steps": [ { "id": "review", "type": "wait", "signal": "approval", "timeout": "P1D" } ] },
                         { "when": "input.total > 100", "steps": [] } ],
              "default": [ { "id": "auto", "type": "tool", "tool": "echo" } ] }
            """);

        Assert.Equal("branch", branch.Type);
        Assert.Equal(["input.total > 1000", "input.total > 100"], branch.Cases.Select(c => c.When));
        Assert.Equal("review", Assert.Single(branch.Cases[0].Steps).Id);
        Assert.Empty(branch.Cases[1].Steps);
        Assert.Equal("auto", Assert.Single(branch.Default).Id);
        Assert.Equal("$.steps[0].cases[0].steps[0]", branch.Cases[0].Steps[0].JsonPath);
    }

    [Fact]
    public void Branch_step_default_is_empty_when_left_out()
    {
        var branch = Single<BranchStep>("""
            { "id": "route", "type": "branch", "cases": [ { "when": "true", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] } ] }
            """);

        Assert.Empty(branch.Default);
    }

    [Fact]
    public void Branch_takes_the_first_true_case_else_default()
    {
        const string definition = """
            { "id": "w", "steps": [ { "id": "route", "type": "branch",
                "cases": [ { "when": "input.total > 1000", "steps": [ { "id": "big", "type": "tool", "tool": "review" } ] },
                           { "when": "input.total > 100", "steps": [ { "id": "mid", "type": "tool", "tool": "check" } ] } ],
                "default": [ { "id": "small", "type": "tool", "tool": "auto" } ] } ] }
            """;

        Assert.Equal("route.mid", Assert.Single(RunDriver.Start(definition, new { total = 500 }).ToolCommands).Path);
        Assert.Equal("route.big", Assert.Single(RunDriver.Start(definition, new { total = 5000 }).ToolCommands).Path);
        var small = RunDriver.Start(definition, new { total = 5 });
        Assert.Equal("route.small", Assert.Single(small.ToolCommands).Path);
        small.Complete("route.small", "auto-approved");
        Assert.Equal("\"auto-approved\"", small.State.Output!.ToJsonString());
    }

    [Fact]
    public void Branch_with_an_empty_default_passes_its_input_through()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "route", "type": "branch", "cases": [ { "when": "false", "steps": [ { "id": "x", "type": "tool", "tool": "x" } ] } ], "default": [] } ] }
            """, new { keep = true });
        Assert.Equal("""{"keep":true}""", run.State.Output!.ToJsonString());
        Assert.Equal(RunStatus.Completed, run.State.Status);
    }
}
