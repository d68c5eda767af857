using System.Globalization;
using System.Text.Json;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// Reads the fields that request bodies share (<c>workflowId</c>, <c>version</c>, <c>input</c> and other strings), each
/// problem naming its JSON path and what was found instead, so every endpoint words its refusals alike.
/// </summary>
internal static class RequestFields
{
    public static string? RequiredString(JsonElement root, string name, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"$.{name}: is required.");
            return null;
        }

        return OptionalString(root, name, problems);
    }

    public static string? OptionalString(JsonElement root, string name, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(element.GetString()))
        {
            return element.GetString();
        }

        problems.Add($"$.{name}: must be a non-empty string, not {Describe(element)}.");
        return null;
    }

    /// <summary>A workflow's <c>version</c>: a positive integer, or absent for the latest.</summary>
    public static int? Version(JsonElement root, List<string> problems)
    {
        if (!root.TryGetProperty("version", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var version) && version > 0)
        {
            return version;
        }

        problems.Add($"$.version: must be a positive integer, not {Describe(element)}.");
        return null;
    }

    /// <summary>The workflow's <c>input</c>, any JSON value, copied out of the request's document.</summary>
    public static JsonElement? Input(JsonElement root) => root.TryGetProperty("input", out var input) ? input.Clone() : null;

    /// <summary>What a value is, for a problem's "not ...": its type, and a string's or number's text.</summary>
    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "the string \"" + Shorten(element.GetString()!) + "\"",
        JsonValueKind.Number => "the number " + element.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => element.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
