using System.Text.Json;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>The raw lines of one SSE frame (up to a blank line), with accessors for the usual fields.</summary>
public sealed record SseFrame(IReadOnlyList<string> Lines)
{
    public string? Id => Field("id");
    public string? Event => Field("event");
    public string? Data => Lines.Any(l => l.StartsWith("data:", StringComparison.Ordinal))
        ? string.Join("\n", Lines.Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => Value(l, "data")))
        : null;

    public bool IsComment => Lines.All(l => l.StartsWith(':'));

    public long Sequence => JsonDocument.Parse(Data!).RootElement.GetProperty("sequence").GetInt64();

    public JsonElement Json => JsonDocument.Parse(Data!).RootElement.Clone();

    private string? Field(string name) =>
        Lines.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Select(l => Value(l, name)).LastOrDefault();

    private static string Value(string line, string name)
    {
        var value = line[(name.Length + 1)..];
        return value.StartsWith(' ') ? value[1..] : value;
    }

    public override string ToString() => string.Join("\\n", Lines);
}
