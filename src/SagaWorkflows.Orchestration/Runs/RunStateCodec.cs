using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// Stores a run's state as the run row's JSON plus parts in <c>WorkflowRunParts</c>: the run's input (written
/// once) and the items and results of every running foreach, in chunks of <see cref="ChunkSize"/>. A transition then rewrites the small state
/// and the one chunk whose result it set, not every item and result of the foreach — a foreach of n items
/// costs O(n) over its run instead of O(n²). Which chunks changed is known by reference: the engine replaces a
/// result node when an iteration completes and never changes items or results in place.
/// </summary>
internal static class RunStateCodec
{
    public const int ChunkSize = 64;
    private const string ItemsPart = "#items/";
    private const string ResultsPart = "#results/";
    private const string InputPart = "input";

    /// <summary>The state row's JSON; the parts that changed are queued on <paramref name="run"/>.</summary>
    public static string Encode(RunState state, WorkflowRun run)
    {
        var foreaches = Foreaches(state.Root).ToList();
        HashSet<string> live = new(StringComparer.Ordinal);
        foreach (var running in foreaches)
        {
            QueueChunks(run, live, running.Path + ItemsPart, running.Items, absentMeansNull: false);
            QueueChunks(run, live, running.Path + ResultsPart, running.Results, absentMeansNull: true);
        }

        // The run's input never changes and can be as large as the list a foreach walks: written once.
        if (state.Input is not null)
        {
            QueueChunks(run, live, InputPart, [state.Input], absentMeansNull: false, chunked: false);
        }

        foreach (var key in run.WrittenParts.Keys.Where(k => !live.Contains(k)).ToList())
        {
            run.WrittenParts.Remove(key);
            run.PartChanges.Add(new DependentRowChange(new WorkflowRunPart { RunId = run.CorrelationId, Key = key }, Delete: true));
        }

        var kept = foreaches.Select(f => (Foreach: f, f.Items, f.Results)).ToList();
        var input = state.Input;
        try
        {
            foreach (var running in foreaches)
            {
                running.Items = [];
                running.Results = [];
            }

            state.Input = null;
            return JsonSerializer.Serialize(state, CoreJson.Options);
        }
        finally
        {
            state.Input = input;
            foreach (var (running, items, results) in kept)
            {
                running.Items = items;
                running.Results = results;
            }
        }
    }

    /// <summary>The state from the row's JSON and the parts read with it (<see cref="WorkflowRun.StoredParts"/>).</summary>
    public static RunState Decode(WorkflowRun run)
    {
        var state = JsonSerializer.Deserialize<RunState>(run.StateJson, CoreJson.Options)
            ?? throw new InvalidOperationException($"run {run.CorrelationId} has no state");
        var parts = run.StoredParts ?? [];
        run.WrittenParts.Clear();
        if (state.Input is null && parts.TryGetValue(InputPart, out var input))
        {
            state.Input = ReadPart(run, InputPart, input)[0];
        }

        foreach (var running in Foreaches(state.Root))
        {
            if (running.Items.Count > 0)
            {
                continue; // stored inline, as before parts existed
            }

            var items = ReadChunks(run, parts, running.Path + ItemsPart, count: null);
            if (items.Length == 0)
            {
                throw new InvalidOperationException($"run {run.CorrelationId}: the items of foreach '{running.Path}' are missing from the store");
            }

            running.Items = new JsonArray(items);
            running.Results = ReadChunks(run, parts, running.Path + ResultsPart, items.Length);
        }

        // Parts no running foreach owns (none should exist) are deleted by the next transition.
        foreach (var key in parts.Keys.Where(k => !run.WrittenParts.ContainsKey(k)))
        {
            run.WrittenParts[key] = [];
        }

        run.StoredParts = null;
        return state;
    }

    private static void QueueChunks(WorkflowRun run, HashSet<string> live, string prefix, IList<JsonNode?> values, bool absentMeansNull, bool chunked = true)
    {
        for (int start = 0, chunk = 0; start < values.Count; start += ChunkSize, chunk++)
        {
            var key = chunked ? prefix + chunk.ToString(CultureInfo.InvariantCulture) : prefix;
            var count = Math.Min(ChunkSize, values.Count - start);
            run.WrittenParts.TryGetValue(key, out var written);
            if (written is null && absentMeansNull && AllNull(values, start, count))
            {
                continue;
            }

            live.Add(key);
            if (written is not null && SameNodes(written, values, start, count))
            {
                continue;
            }

            var slice = new JsonNode?[count];
            for (var i = 0; i < count; i++)
            {
                slice[i] = values[start + i];
            }

            run.WrittenParts[key] = slice;
            run.PartChanges.Add(new DependentRowChange(new WorkflowRunPart { RunId = run.CorrelationId, Key = key, Json = ToJson(slice) }, Delete: false));
        }
    }

    /// <param name="count">How many values (results); null: as many as the chunks hold (items).</param>
    private static JsonNode?[] ReadChunks(WorkflowRun run, Dictionary<string, string> parts, string prefix, int? count)
    {
        List<JsonNode?> values = [];
        for (var chunk = 0; ; chunk++)
        {
            var key = prefix + chunk.ToString(CultureInfo.InvariantCulture);
            var expected = count is { } n ? Math.Min(ChunkSize, n - chunk * ChunkSize) : ChunkSize;
            if (count is { } total && chunk * ChunkSize >= total)
            {
                break;
            }

            if (!parts.TryGetValue(key, out var json))
            {
                if (count is null)
                {
                    break;
                }

                values.AddRange(new JsonNode?[expected]); // a results chunk never written: nothing completed there yet
                continue;
            }

            var nodes = ReadPart(run, key, json);
            if (count is not null && nodes.Length != expected)
            {
                throw new InvalidOperationException($"run {run.CorrelationId}: part '{key}' holds {nodes.Length} values, not {expected}");
            }

            values.AddRange(nodes);
        }

        return values.ToArray();
    }

    private static JsonNode?[] ReadPart(WorkflowRun run, string key, string json)
    {
        var array = JsonNode.Parse(json)?.AsArray() ?? throw new InvalidOperationException($"run {run.CorrelationId}: part '{key}' is not an array");
        var nodes = array.ToArray();
        array.Clear(); // detach, so the engine can place them elsewhere
        run.WrittenParts[key] = nodes;
        return nodes;
    }

    private static string ToJson(ReadOnlySpan<JsonNode?> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    value.WriteTo(writer, CoreJson.Options);
                }
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool AllNull(IList<JsonNode?> values, int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            if (values[i] is not null)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameNodes(JsonNode?[] written, IList<JsonNode?> values, int start, int count)
    {
        if (written.Length != count)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            if (!ReferenceEquals(written[i], values[start + i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every running foreach, nested ones included.</summary>
    private static IEnumerable<ForeachState> Foreaches(SequenceFrame frame) => frame.Nodes().OfType<ForeachState>();
}
