using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SagaWorkflows.Definitions;

/// <summary>
/// A workflow definition built in C#: <c>Workflow.Define("order").Steps(Step.Tool("reserve", "inventory.reserve"), …)</c>.
/// <see cref="ToJson"/> gives the definition's JSON, exactly the format a designer writes and the orchestrator reads:
/// send it inline in <c>StartWorkflow.Definition</c>, register it with the orchestrator, or save it as a file.
/// Nothing is checked here beyond what the types say: <c>sagawf validate</c> and the orchestrator validate the result.
/// </summary>
public sealed class Workflow
{
    private readonly List<StepBuilder> _steps = [];
    private int? _version;
    private string? _schemaReference;
    private string? _name;
    private string? _description;
    private JsonNode? _inputSchema;
    private JsonNode? _output;
    private string? _timeout;

    private Workflow(string id) => Id = id;

    /// <summary>The workflow's id, unique among the definitions an orchestrator knows.</summary>
    public string Id { get; }

    /// <summary>Starts a definition with this id.</summary>
    public static Workflow Define(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new Workflow(id);
    }

    /// <summary><c>version</c>: an integer from 1 (the format's default).</summary>
    public Workflow Version(int version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        _version = version;
        return this;
    }

    /// <summary><c>$schema</c>: where editors find the format's JSON Schema, e.g. <c>../schemas/workflow.schema.json</c>.</summary>
    public Workflow SchemaReference(string uri)
    {
        _schemaReference = uri;
        return this;
    }

    /// <summary><c>name</c>: a display name.</summary>
    public Workflow Name(string name)
    {
        _name = name;
        return this;
    }

    /// <summary><c>description</c>.</summary>
    public Workflow Description(string description)
    {
        _description = description;
        return this;
    }

    /// <summary><c>inputSchema</c>: the JSON Schema the run's input must match, as a <see cref="JsonNode"/> or any
    /// object System.Text.Json serialises (an anonymous object keeps its property names as written).</summary>
    public Workflow InputSchema(object? schema)
    {
        _inputSchema = Json.From(schema);
        return this;
    }

    /// <summary>Appends steps to the workflow's top-level sequence.</summary>
    public Workflow Steps(params IEnumerable<StepBuilder> steps)
    {
        _steps.AddRange(Json.NotNull(steps));
        return this;
    }

    /// <summary><c>output</c>: a template of the run's output (strings may hold <c>${ … }</c> expressions);
    /// without it the run outputs its last step's output.</summary>
    public Workflow Output(object? template)
    {
        _output = Json.From(template);
        return this;
    }

    /// <summary><c>timeout</c> of the whole run.</summary>
    public Workflow Timeout(TimeSpan timeout) => Timeout(Duration.Format(timeout));

    /// <summary><c>timeout</c> of the whole run, as an ISO 8601 duration (<c>PT30S</c>, <c>P1D</c>).</summary>
    public Workflow Timeout(string isoDuration)
    {
        _timeout = isoDuration;
        return this;
    }

    /// <summary>The definition as a JSON object, properties in the format's usual order.</summary>
    public JsonObject ToJsonObject()
    {
        var json = new JsonObject();
        Json.Add(json, "$schema", _schemaReference);
        json["id"] = Id;
        Json.Add(json, "version", _version);
        Json.Add(json, "name", _name);
        Json.Add(json, "description", _description);
        Json.Add(json, "inputSchema", _inputSchema?.DeepClone());
        Json.Add(json, "timeout", _timeout);
        json["steps"] = StepBuilder.ToJsonArray(_steps);
        Json.Add(json, "output", _output?.DeepClone());
        return json;
    }

    /// <summary>The definition's JSON text: compact, or indented for files people read.</summary>
    public string ToJson(bool indented = false) => ToJsonObject().ToJsonString(indented ? Json.Indented : Json.Compact);

    /// <inheritdoc />
    public override string ToString() => ToJson();
}

/// <summary>Shared JSON helpers of the builder.</summary>
internal static class Json
{
    // Expressions are JavaScript: keep '<', '>', '&' and quotes readable in the JSON text instead of \u003C escapes.
    public static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    public static readonly JsonSerializerOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    public static JsonNode? From(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        _ => JsonSerializer.SerializeToNode(value, value.GetType(), Compact),
    };

    public static void Add(JsonObject json, string name, JsonNode? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    public static void Add(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    public static void Add(JsonObject json, string name, int? value)
    {
        if (value is { } v)
        {
            json[name] = v;
        }
    }

    public static void Add(JsonObject json, string name, double? value)
    {
        if (value is { } v)
        {
            json[name] = v;
        }
    }

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    public static IEnumerable<T> NotNull<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToList();
        if (list.Any(i => i is null))
        {
            throw new ArgumentException("a step list cannot contain null", nameof(items));
        }

        return list;
    }
}

/// <summary>ISO 8601 durations, as the format writes them.</summary>
public static class Duration
{
    /// <summary>A positive or zero <see cref="TimeSpan"/> as an ISO 8601 duration: <c>PT0.5S</c>, <c>PT30S</c>, <c>P1D</c>.</summary>
    public static string Format(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        return System.Xml.XmlConvert.ToString(value);
    }
}
