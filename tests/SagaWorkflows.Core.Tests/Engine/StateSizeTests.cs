using System.Text.Json;
using SagaWorkflows.Core.Engine;

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
