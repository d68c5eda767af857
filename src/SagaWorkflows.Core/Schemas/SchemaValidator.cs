using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.References;
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

    /// <summary>
    /// Why <paramref name="schema"/> cannot be used, or null: a <c>$ref</c> outside the schema itself, or a schema that does
    /// not load (a <c>#/…</c> reference to a definition it lacks). Definitions are checked with it, so a schema from a
    /// definition is refused with the definition instead of failing the first value checked against it.
    /// </summary>
    public static string? Problem(JsonObject schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (References(schema).FirstOrDefault(r => !r.StartsWith('#')) is { } outside)
        {
            return ExternalReference(outside);
        }

        try
        {
            Validate(schema, null);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return $"is not a JSON Schema that values can be checked against: {ex.Message}";
        }
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> when the schema does not load or has a <c>$ref</c> outside itself,
    /// which is never fetched (see <see cref="Problem"/>).</summary>
    public static IReadOnlyList<string> Validate(JsonNode schema, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var text = schema.ToJsonString();
        if (!Schemas.TryGetValue(text, out var parsed))
        {
            if (References(schema).FirstOrDefault(r => !r.StartsWith('#')) is { } outside)
            {
                throw new InvalidOperationException(ExternalReference(outside));
            }

            parsed = JsonSchema.FromJsonAsync(text, documentPath: null, root => new SelfContainedReferences(root)).GetAwaiter().GetResult();
            if (Schemas.Count >= MaxCached)
            {
                Schemas.Clear();
            }

            Schemas.TryAdd(text, parsed);
        }

        var errors = parsed.Validate(value?.ToJsonString() ?? "null");
        return errors.SelectMany(Flatten).Select(Describe).Distinct().ToList();
    }

    private static string ExternalReference(string reference) =>
        $"external $ref is not allowed ('{(reference.Length <= 100 ? reference : reference[..100] + "…")}'): a schema must be self-contained ('#/…' references only; nothing is fetched)";

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Key == "$ref" && p.Value is JsonValue v && v.TryGetValue<string>(out var r) ? [r] : References(p.Value)),
        JsonArray array => array.SelectMany(References),
        _ => [],
    };

    /// <summary>
    /// Schemas come from definitions anyone allowed to send one may write: NJsonSchema's resolver would fetch an
    /// <c>http(s)</c> <c>$ref</c> (and read files relative to a document path), so this one refuses both, whoever calls.
    /// </summary>
    private sealed class SelfContainedReferences(JsonSchema root)
        : JsonReferenceResolver(new JsonSchemaAppender(root, new DefaultTypeNameGenerator()))
    {
        public override Task<IJsonReference> ResolveFileReferenceAsync(string filePath, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException(ExternalReference(filePath));

        public override Task<IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException(ExternalReference(url));
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
