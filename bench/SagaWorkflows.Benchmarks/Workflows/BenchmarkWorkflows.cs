using System.Text.Json;
using System.Text.Json.Nodes;

namespace SagaWorkflows.Benchmarks.Workflows;

/// <summary>The definitions the benchmark runs, all built on the sample worker's no-op <c>echo</c> tool.</summary>
public static class BenchmarkWorkflows
{
    /// <summary>A small input, about the size of the baselines' payloads; every echo step passes it on.</summary>
    public static JsonElement Input { get; } = JsonSerializer.SerializeToElement(new { payload = Payload });

    public const string Payload = "benchmark-payload-0123456789";

    /// <summary>N echo steps one after another; each gets the previous step's output.</summary>
    public static string Sequential(int steps) => Definition($"bench-seq-{steps}",
        new JsonArray(Enumerable.Range(1, steps).Select(i => (JsonNode)Echo($"s{i}")).ToArray()));

    /// <summary>One parallel step with one echo step per branch.</summary>
    public static string Parallel(int branches)
    {
        var map = new JsonObject();
        for (var i = 0; i < branches; i++)
        {
            map[$"b{i}"] = new JsonArray(Echo($"e{i}"));
        }

        return Definition($"bench-parallel-{branches}", new JsonArray(new JsonObject
        {
            ["id"] = "fan",
            ["type"] = "parallel",
            ["branches"] = map,
        }));
    }

    /// <summary>
    /// A foreach over <c>input.items</c>: one echo step per item, its input rendered from <c>item</c> (as users
    /// write it), or left to the default (the iteration's item) to take the expression engine out of the picture.
    /// </summary>
    public static string Foreach(int concurrency, bool renderInput = true)
    {
        var step = Echo("e");
        if (renderInput)
        {
            step["input"] = "${ item }";
        }

        return Definition($"bench-foreach-{concurrency}", new JsonArray(new JsonObject
        {
            ["id"] = "each",
            ["type"] = "foreach",
            ["items"] = "input.items",
            ["concurrency"] = concurrency,
            ["steps"] = new JsonArray(step),
        }));
    }

    public static JsonElement ForeachInput(int items) =>
        JsonSerializer.SerializeToElement(new { items = Enumerable.Range(0, items).Select(i => new { i, payload = Payload }) });

    /// <summary>A run that stops at once, waiting for a signal that never comes: a suspended run.</summary>
    public static string Wait() => Definition("bench-wait", new JsonArray(new JsonObject
    {
        ["id"] = "hold",
        ["type"] = "wait",
        ["signal"] = "go",
    }));

    private static JsonObject Echo(string id) => new()
    {
        ["id"] = id,
        ["type"] = "tool",
        ["tool"] = "echo",
    };

    private static string Definition(string id, JsonArray steps) => new JsonObject
    {
        ["id"] = id,
        ["version"] = 1,
        ["steps"] = steps,
    }.ToJsonString();
}
