using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

public class ControlFlowTests
{
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
    public void Foreach_keeps_item_order_whatever_the_completion_order_and_never_exceeds_concurrency()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "perItem", "type": "foreach", "items": "input.items", "concurrency": 2,
                "steps": [ { "id": "charge", "type": "tool", "tool": "pay", "input": { "item": "${ item }", "index": "${ index }" } } ] } ] }
            """, new { items = new[] { "a", "b", "c", "d", "e" } });

        Assert.Equal(["perItem[0].charge", "perItem[1].charge"], run.ToolCommands.Select(c => c.Path));
        run.Complete("perItem[1].charge", "B");
        Assert.Equal(3, run.ToolCommands.Count);
        run.Complete("perItem[2].charge", "C");
        run.Complete("perItem[3].charge", "D");
        Assert.Equal(5, run.ToolCommands.Count);
        Assert.Equal("""{"item":"e","index":4}""", run.Pending("perItem[4].charge").Input!.Value.GetRawText());
        run.Complete("perItem[4].charge", "E");
        run.Complete("perItem[0].charge", "A");

        Assert.Equal("""["A","B","C","D","E"]""", run.State.Output!.ToJsonString());
    }

    [Fact]
    public void Foreach_in_flight_count_stays_at_or_below_the_limit()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "each", "type": "foreach", "items": "input", "concurrency": 3,
                "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] } ] }
            """, Enumerable.Range(0, 20).ToArray());

        var answered = new HashSet<Guid>();
        while (run.State.Status == RunStatus.Running)
        {
            var outstanding = run.ToolCommands.Where(c => !answered.Contains(c.ExecutionId)).ToList();
            Assert.InRange(outstanding.Count, 1, 3);
            // Answer the newest first so iterations complete out of item order.
            var next = outstanding[^1];
            answered.Add(next.ExecutionId);
            run.HandlePersisted(new StepSucceeded(next.ExecutionId, 1, JsonNode.Parse(next.Input!.Value.GetRawText())));
        }

        Assert.Equal(string.Join(",", Enumerable.Range(0, 20)), string.Join(",", run.State.Output!.AsArray().Select(n => n!.GetValue<int>())));
    }

    [Fact]
    public void Foreach_over_an_empty_array_outputs_an_empty_array_without_dispatching()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "each", "type": "foreach", "items": "input.items", "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] } ] }
            """, new { items = Array.Empty<int>() });

        Assert.Empty(run.ToolCommands);
        Assert.Equal("[]", run.State.Output!.ToJsonString());
    }

    [Fact]
    public void Foreach_items_that_are_not_an_array_fail_the_step_clearly()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "each", "type": "foreach", "items": "input", "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] } ] }
            """, new { a = 1 });

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Contains("must evaluate to an array, not object", run.Events.Single(e => e.Type == "step-error").Data!.Value.GetRawText(), StringComparison.Ordinal);
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

    [Fact]
    public void Nested_nodes_get_unique_paths_in_every_event()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "fan", "type": "parallel", "branches": {
                "items": [ { "id": "perItem", "type": "foreach", "items": "input.items", "concurrency": 5,
                             "steps": [ { "id": "charge", "type": "tool", "tool": "pay" } ] } ],
                "poll": [ { "id": "poll", "type": "loop", "until": "iteration >= 2",
                            "steps": [ { "id": "check", "type": "tool", "tool": "status" } ] } ] } } ] }
            """, new { items = new[] { 1, 2 } });

        run.EchoAllOutstanding();
        run.EchoAllOutstanding();

        Assert.Equal(RunStatus.Completed, run.State.Status);
        var toolPaths = run.Events.Where(e => e.Type == "step-complete" && e.StepType == "tool").Select(e => e.Path).ToList();
        Assert.Equal(toolPaths.Count, toolPaths.Distinct().Count());
        Assert.Contains("fan.perItem[1].charge", toolPaths);
        Assert.Contains("fan.poll#2.check", toolPaths);
        Assert.Equal("""{"items":[1,2],"poll":{"items":[1,2]}}""", run.State.Output!.ToJsonString());
    }

    [Fact]
    public void Ai_steps_render_prompts_and_go_to_the_model_queue()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "summary", "type": "ai", "model": "default", "system": "You are terse.",
                "prompt": "Summarise order ${ input.orderId } with ${ input.items.length } items",
                "outputSchema": { "type": "object", "required": ["text"] } } ] }
            """, new { orderId = "O-7", items = new[] { 1, 2, 3 } });

        var command = Assert.Single(run.AiCommands);
        Assert.Equal("Summarise order O-7 with 3 items", command.Prompt);
        Assert.Equal("You are terse.", command.System);
        Assert.Equal("sagawf-ai-default", run.Sends.Single().Queue);
        run.HandlePersisted(new StepSucceeded(command.ExecutionId, 1, JsonNode.Parse("""{"text":"ok"}""")));
        Assert.Equal("""{"text":"ok"}""", run.State.Output!.ToJsonString());
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
