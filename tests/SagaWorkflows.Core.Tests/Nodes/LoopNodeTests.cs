using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>loop</c>: how it is read (until or while, maxIterations) and how it runs (body first, one iteration kept).</summary>
public class LoopNodeTests
{
    [Fact]
    public void Loop_step_is_do_until_with_max_iterations_defaulting_to_100()
    {
        var loop = Single<LoopStep>("""
            { "id": "poll", "type": "loop", "until": "steps.check.done",
              "steps": [ { "id": "check", "type": "tool", "tool": "carrier.status" } ] }
            """);

        Assert.Equal("loop", loop.Type);
        Assert.Equal("steps.check.done", loop.Until);
        Assert.Null(loop.While);
        Assert.Equal(100, loop.MaxIterations);
        Assert.Equal(LoopStep.DefaultMaxIterations, loop.MaxIterations);
        Assert.Equal("check", Assert.Single(loop.Steps).Id);
    }

    [Fact]
    public void Loop_step_can_be_do_while_with_its_own_max_iterations()
    {
        var loop = Single<LoopStep>("""
            { "id": "poll", "type": "loop", "while": "iteration < 3", "maxIterations": 20,
              "steps": [ { "id": "check", "type": "tool", "tool": "carrier.status" } ] }
            """);

        Assert.Null(loop.Until);
        Assert.Equal("iteration < 3", loop.While);
        Assert.Equal(20, loop.MaxIterations);
    }

    [Fact]
    public void Loop_takes_either_until_or_while_not_both()
    {
        AssertStepErrors("""
            { "id": "l", "type": "loop", "until": "true", "while": "false", "steps": [ { "id": "x", "type": "tool", "tool": "echo" } ] }
            """,
            "$.steps[0]: set either 'until' (do-until) or 'while' (do-while), not both");
    }

    [Fact]
    public void Loop_runs_until_the_condition_holds_keeping_only_the_last_iteration()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "poll", "type": "loop", "until": "steps.check.done", "maxIterations": 5,
                "steps": [ { "id": "check", "type": "tool", "tool": "status", "input": { "n": "${ iteration }" } } ] } ] }
            """);

        run.Complete("poll#1.check", new { done = false });
        Assert.Equal("""{"n":2}""", run.Pending("poll#2.check").Input!.Value.GetRawText());
        run.Complete("poll#2.check", new { done = false });
        run.Complete("poll#3.check", new { done = true, n = 3 });

        Assert.Equal("""{"done":true,"n":3}""", run.State.Output!.ToJsonString());
        Assert.Equal(["poll#1.check", "poll#2.check", "poll#3.check"], run.ToolCommands.Select(c => c.Path));
    }

    [Fact]
    public void Loop_state_does_not_grow_with_iterations()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "spin", "type": "loop", "while": "iteration < 10000", "maxIterations": 10000,
                "steps": [ { "id": "t", "type": "tool", "tool": "x", "input": { "payload": "${ 'x'.repeat(100) }" } } ] } ] }
            """);
        int? sizeAt10 = null;
        for (var i = 1; i <= 200; i++)
        {
            run.Complete($"spin#{i}.t", new { i });
            if (i == 10)
            {
                sizeAt10 = System.Text.Json.JsonSerializer.Serialize(run.State, CoreJson.Options).Length;
            }
        }

        var sizeAt200 = System.Text.Json.JsonSerializer.Serialize(run.State, CoreJson.Options).Length;
        Assert.InRange(sizeAt200, 0, sizeAt10!.Value + 10);
    }

    [Fact]
    public void Loop_needing_more_than_maxIterations_fails_with_a_clear_error()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "poll", "type": "loop", "until": "steps.check.done", "maxIterations": 2,
                "steps": [ { "id": "check", "type": "tool", "tool": "status" } ] } ] }
            """);
        run.Complete("poll#1.check", new { done = false });
        run.Complete("poll#2.check", new { done = false });

        Assert.Equal(RunStatus.Failed, run.State.Status);
        var data = run.Events.Last(e => e.Type == "step-error").Data!.Value.GetRawText();
        Assert.Contains("MaxIterationsExceeded", data, StringComparison.Ordinal);
        Assert.Contains("maxIterations (2)", data, StringComparison.Ordinal);
    }

    [Fact]
    public void Do_while_tests_after_the_body()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "once", "type": "loop", "while": "false", "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] } ] }
            """);
        run.Complete("once#1.t", 1);
        Assert.Equal("1", run.State.Output!.ToJsonString());
    }
}
