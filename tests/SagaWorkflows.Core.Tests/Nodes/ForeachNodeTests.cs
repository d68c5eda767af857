using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>foreach</c>: how it is read (items, concurrency) and how it runs (per item, bounded, in item order).</summary>
public class ForeachNodeTests
{
    [Fact]
    public void Foreach_step_concurrency_defaults_to_1()
    {
        var each = Single<ForeachStep>("""
            { "id": "perItem", "type": "foreach", "items": "input.items",
              "steps": [ { "id": "charge", "type": "tool", "tool": "payments.charge", "input": "${ item }" } ] }
            """);

        Assert.Equal("foreach", each.Type);
        Assert.Equal("input.items", each.Items);
        Assert.Equal(1, each.Concurrency);
        var charge = Assert.IsType<ToolStep>(Assert.Single(each.Steps));
        Assert.Equal("\"${ item }\"", charge.Input!.ToJsonString());
        Assert.Equal("$.steps[0].steps[0]", charge.JsonPath);
    }

    [Fact]
    public void Foreach_step_reads_concurrency_and_accepts_a_delimited_items_expression()
    {
        var each = Single<ForeachStep>("""
            { "id": "perItem", "type": "foreach", "items": "${ input.items.filter(i => i.qty > 0) }", "concurrency": 4,
              "steps": [ { "id": "charge", "type": "tool", "tool": "pay" } ] }
            """);

        Assert.Equal(4, each.Concurrency);
        Assert.Equal("${ input.items.filter(i => i.qty > 0) }", each.Items);
    }

    [Fact]
    public void Foreach_keeps_item_order_whatever_the_completion_order_and_never_exceeds_concurrency()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "perItem", "type": "foreach", "items": "input.items", "concurrency": 2,
                "steps": [ { "id": "charge", "type": "tool", "tool": "pay", "input": { "item": "${ item }", "index": "${ index }" } } ] } ] }
            """, JsonNode.Parse("""{ "items": ["a", "b", "c", "d", "e"] }"""));

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
}
