using System.Text.Json;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;

namespace SagaWorkflows.Core.Tests.Engine;

public class StateSizeTests
{
    private static string Sequential(int steps, string lastInput) =>
        $$"""{ "id": "long", "steps": [ {{string.Join(",", Enumerable.Range(1, steps).Select(i =>
            i == steps ? $$"""{ "id": "s{{i}}", "type": "tool", "tool": "echo", "input": "{{lastInput}}" }""" : $$"""{ "id": "s{{i}}", "type": "tool", "tool": "echo" }"""))}} ] }""";

    [Fact]
    public void A_run_keeps_only_the_outputs_its_expressions_read_so_its_state_does_not_grow_with_length()
    {
        var run = RunDriver.Start(Sequential(200, "${ steps.s3.n }"), new { n = 1 });
        var sizes = new List<int>();
        for (var i = 1; i < 200; i++)
        {
            run.Complete($"s{i}", new { n = i, padding = new string('x', 100) });
            sizes.Add(JsonSerializer.Serialize(run.State, CoreJson.Options).Length);
        }

        Assert.Equal(["s3"], run.State.Root.Outputs.Keys);
        Assert.InRange(sizes[^1], 0, sizes[10] + 20);
        Assert.Equal("3", run.Pending("s200").Input!.Value.GetRawText());
    }

    [Fact]
    public void A_running_frame_does_not_keep_its_input_so_a_foreach_item_list_is_not_stored_twice()
    {
        const string json = """
            { "id": "fan", "steps": [
              { "id": "prepare", "type": "tool", "tool": "echo" },
              { "id": "each", "type": "foreach", "items": "input.items", "concurrency": 2,
                "steps": [ { "id": "work", "type": "tool", "tool": "echo" }, { "id": "more", "type": "tool", "tool": "echo" } ] },
              { "id": "both", "type": "parallel", "branches": { "a": [ { "id": "pa", "type": "tool", "tool": "echo" } ], "b": [] } },
              { "id": "after", "type": "tool", "tool": "echo" } ] }
            """;
        var items = Enumerable.Range(0, 200).Select(i => new { i, padding = new string('x', 100) }).ToArray();
        var run = RunDriver.Start(json, new { items });
        run.Complete("prepare", new { items });

        // With the foreach running, the state holds the items twice (the run's input, which the orchestrator stores
        // beside the row, and the foreach's own list), not a third time as the root frame's pending input, and no
        // iteration frame keeps a copy of its item.
        var size = JsonSerializer.Serialize(run.State, CoreJson.Options).Length;
        var itemsSize = JsonSerializer.Serialize(items, CoreJson.Options).Length;
        Assert.InRange(size, itemsSize * 2, itemsSize * 5 / 2);
        Assert.Null(run.State.Root.Last);
        var each = Assert.IsType<ForeachState>(run.State.Root.Current);
        Assert.All(each.Running.Values, frame => Assert.Null(frame.Last));

        // Outputs still flow: an iteration's second step gets its first step's output, the parallel's branches
        // get the foreach's output, an empty branch passes it through, and the next step gets the parallel's.
        for (var i = 0; i < items.Length; i++)
        {
            run.Complete($"each[{i}].work", new { done = i });
            Assert.Equal($$"""{"done":{{i}}}""", run.Pending($"each[{i}].more").Input!.Value.GetRawText());
            run.Complete($"each[{i}].more", i);
        }

        Assert.Equal(JsonSerializer.Serialize(Enumerable.Range(0, items.Length)), run.Pending("both.pa").Input!.Value.GetRawText());
        run.Complete("both.pa", "from a");
        Assert.Equal(
            $$"""{"a":"from a","b":{{JsonSerializer.Serialize(Enumerable.Range(0, items.Length))}}}""",
            run.Pending("after").Input!.Value.GetRawText());
    }

    [Fact]
    public void Reading_steps_other_than_by_name_keeps_every_output()
    {
        var run = RunDriver.Start(Sequential(4, "${ Object.keys(steps).length }"));
        for (var i = 1; i < 4; i++)
        {
            run.Complete($"s{i}", i);
        }

        Assert.Equal("3", run.Pending("s4").Input!.Value.GetRawText());
    }

    [Fact]
    public void Outputs_read_with_a_quoted_name_are_kept()
    {
        var run = RunDriver.Start(Sequential(3, "${ steps['s1'] }"));
        run.Complete("s1", "first");
        run.Complete("s2", "second");

        Assert.Equal("\"first\"", run.Pending("s3").Input!.Value.GetRawText());
        Assert.Equal(["s1"], run.State.Root.Outputs.Keys);
    }
}
