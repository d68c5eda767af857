using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace SagaWorkflows.Core.Schemas;

/// <summary>
/// Validates JSON values against JSON Schemas (run input, signal payloads, AI replies), returning
/// readable problems like <c>$.orderId: is required</c>. Parsed schemas are cached by their text.
/// </summary>
public static class SchemaValidator
{
    /// <summary>Bounds the cache: schemas come from definitions, and definitions come from anyone allowed to send one.</summary>
    private const int MaxCached = 256;

    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    /// <summary>Schemas currently cached (for tests and diagnostics).</summary>
    internal static int CachedCount => Schemas.Count;

    public static IReadOnlyList<string> Validate(JsonNode schema, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var text = schema.ToJsonString();
        if (!Schemas.TryGetValue(text, out var parsed))
        {
            parsed = JsonSchema.FromJsonAsync(text).GetAwaiter().GetResult();
            if (Schemas.Count >= MaxCached)
            {
                Schemas.Clear();
            }

            Schemas.TryAdd(text, parsed);
        }

        var errors = parsed.Validate(value?.ToJsonString() ?? "null");
        return errors.SelectMany(Flatten).Select(Describe).Distinct().ToList();
    }

    private static IEnumerable<ValidationError> Flatten(ValidationError error) =>
        error is ChildSchemaValidationError child
            ? child.Errors.SelectMany(e => e.Value).SelectMany(Flatten).DefaultIfEmpty(error)
            : [error];

    private static string Describe(ValidationError error)
    {
        var path = ToJsonPath(error.Path);
        return error.Kind switch
        {
            ValidationErrorKind.PropertyRequired => $"{path}: is required",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"{path}: is not allowed",
            _ => $"{path}: {Humanize(error.Kind.ToString())}",
        };
    }

    private static string ToJsonPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "#")
        {
            return "$";
        }

        var segments = path.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return "$" + string.Concat(segments.Select(s => int.TryParse(s, out _) ? $"[{s}]" : "." + s));
    }

    private static string Humanize(string kind)
    {
        var words = new System.Text.StringBuilder();
        foreach (var c in kind)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToLowerInvariant(c));
        }

        return words.ToString();
    }
}
