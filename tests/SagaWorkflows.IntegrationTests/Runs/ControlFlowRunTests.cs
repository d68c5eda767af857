using System.Text.Json;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;

namespace SagaWorkflows.IntegrationTests.Runs;

public sealed class ControlFlowRunTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly int[] Items = [1, 2, 3, 4];

    [Fact]
    public async Task Parallel_of_foreach_and_loop_plus_branch_and_ai_completes_with_the_expected_output()
    {
        const string definition = """
        {
          "id": "nested",
          "steps": [
            { "id": "fan", "type": "parallel", "branches": {
                "items": [ { "id": "perItem", "type": "foreach", "items": "input.items", "concurrency": 2,
                             "steps": [ { "id": "double", "type": "tool", "tool": "echo", "input": { "v": "${ item * 2 }", "i": "${ index }" } } ] } ],
                "poll":  [ { "id": "poll", "type": "loop", "until": "steps.check.n >= 3", "maxIterations": 5,
                             "steps": [ { "id": "check", "type": "tool", "tool": "echo", "input": { "n": "${ iteration }" } } ] } ] } },
            { "id": "route", "type": "branch",
              "cases": [ { "when": "steps.fan.items.length > 10", "steps": [ { "id": "big", "type": "tool", "tool": "echo", "input": "big" } ] } ],
              "default": [ { "id": "small", "type": "tool", "tool": "echo", "input": "small" } ] },
            { "id": "summary", "type": "ai", "model": "default", "prompt": "Summarise ${ steps.fan.items.length } items",
              "outputSchema": { "type": "object", "required": ["text"], "properties": { "text": { "type": "string" } } } }
          ],
          "output": { "doubled": "${ steps.fan.items.map(x => x.v) }", "polls": "${ steps.fan.poll.n }", "route": "${ steps.route }", "summary": "${ steps.summary.text }" }
        }
        """;
        var runId = await system.StartRunAsync(definition, new { items = Items });

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        var output = events[^1].Data!.Value.GetProperty("output");
        Assert.Equal("[2,4,6,8]", JsonSerializer.Serialize(output.GetProperty("doubled")));
        Assert.Equal(3, output.GetProperty("polls").GetInt32());
        Assert.Equal("small", output.GetProperty("route").GetString());
        Assert.Equal("[offline demo model] Summarise 4 items", output.GetProperty("summary").GetString());
        var paths = events.Where(e => e.Type == LifecycleEventTypes.StepComplete && e.StepType == "tool").Select(e => e.Path).ToList();
        Assert.Contains("fan.perItem[3].double", paths);
        Assert.Contains("fan.poll#3.check", paths);
        Assert.Equal(paths.Count, paths.Distinct().Count());
    }

    [Fact]
    public async Task Parallel_of_fifty_branches_completing_at_the_same_moment_keeps_all_fifty_results()
    {
        var branches = string.Join(",\n", Enumerable.Range(0, 50).Select(i =>
            $$"""  "b{{i}}": [ { "id": "t{{i}}", "type": "tool", "tool": "delay", "input": { "ms": 300, "branch": {{i}} } } ]"""));
        var definition = $$"""{ "id": "fifty", "steps": [ { "id": "all", "type": "parallel", "branches": { {{branches}} } } ] }""";

        // Several runs at once, so replies of different runs and of one run race each other.
        var runs = new List<Guid>();
        for (var r = 0; r < 4; r++)
        {
            runs.Add(await system.StartRunAsync(definition));
        }

        foreach (var runId in runs)
        {
            var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);
            Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
            var output = events[^1].Data!.Value.GetProperty("output");
            Assert.Equal(50, output.EnumerateObject().Count());
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(i, output.GetProperty($"b{i}").GetProperty("branch").GetInt32());
            }

            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        }
    }
}
