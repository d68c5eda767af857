using System.Text.Json;

namespace SagaWorkflows.Testing;

/// <summary>
/// The raw lines of one SSE frame (up to a blank line), with accessors for the usual fields. Every field is this
/// frame's own: <see cref="Id"/> is null for a frame without an <c>id:</c> line (a bridge's <c>step-progress</c> or
/// <c>end</c>), not the id an <c>EventSource</c> carries over from an earlier frame.
/// </summary>
public sealed record SseFrame(IReadOnlyList<string> Lines)
{
    /// <summary>This frame's <c>id:</c> (the last one if it has several), or null when it has none.</summary>
    public string? Id => Field("id");

    /// <summary>This frame's <c>event:</c>, or null when it has none (an <c>EventSource</c> calls that <c>message</c>).</summary>
    public string? Event => Field("event");

    /// <summary>The frame's <c>data:</c> lines joined with <c>\n</c>; empty when it has none.</summary>
    public string Data => string.Join("\n", Lines.Where(l => IsField(l, "data")).Select(l => Value(l, "data")));

    /// <summary>Only comment lines (<c>: keepalive</c>): a heartbeat, no event.</summary>
    public bool IsComment => Lines.All(l => l.StartsWith(':'));

    public long Sequence => Json.GetProperty("sequence").GetInt64();

    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Data);
            return document.RootElement.Clone();
        }
    }

    private string? Field(string name) => Lines.Where(l => IsField(l, name)).Select(l => Value(l, name)).LastOrDefault();

    // "name:" or a line that is just "name" (a field with an empty value).
    private static bool IsField(string line, string name) =>
        line.StartsWith(name, StringComparison.Ordinal) && (line.Length == name.Length || line[name.Length] == ':');

    private static string Value(string line, string name)
    {
        if (line.Length == name.Length)
        {
            return "";
        }

        var value = line[(name.Length + 1)..];
        return value.StartsWith(' ') ? value[1..] : value;
    }

    public override string ToString() => string.Join("\\n", Lines);
}
