using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Expressions;
using SagaWorkflows.Core.Nodes;
using static SagaWorkflows.Core.Definitions.WorkflowDefinitionParser;

namespace SagaWorkflows.Core.Definitions;

/// <summary>
/// Reads one definition: the workflow's own fields and step lists here, each step's fields by its node
/// type (<see cref="NodeType.Read"/>) with the field readers below, which record every problem with its
/// JSON path and go on, so one pass reports them all.
/// </summary>
internal sealed class DefinitionReader(WorkflowLimits limits)
{
    private static readonly HashSet<string> RootProperties = ["$schema", "id", "version", "name", "description", "inputSchema", "steps", "output", "timeout"];
    private static readonly HashSet<string> CommonStepProperties = ["id", "type", "name", "description"];
    private static readonly HashSet<string> RetryProperties = ["maxAttempts", "initialInterval", "backoffRate", "maxInterval", "jitter", "retryOn", "nonRetryable"];

    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unread = new(StringComparer.Ordinal);
    private int _steps;
    private int _depth;
    private bool _tooManySteps;

    public WorkflowLimits Limits { get; } = limits;

    public List<ValidationError> Errors { get; } = [];

    /// <summary>The top-level steps read, also when the workflow itself is invalid (for the reference check).</summary>
    public IReadOnlyList<StepDefinition> Steps { get; private set; } = [];

    /// <summary>Every step id read, with the path that declared it first.</summary>
    public IReadOnlyDictionary<string, string> Ids => _ids;

    /// <summary>Ids of steps whose definition could not be read (unknown type, nested too deep).</summary>
    public IReadOnlySet<string> Unread => _unread;

    /// <summary>Some steps were not read at all (past the step limit, nested past the depth limit): their ids are unknown.</summary>
    public bool Incomplete { get; private set; }

    public void Error(string path, string message) => Errors.Add(new ValidationError(path, message));

    /// <summary>The id of the workflow being read, once read: a <c>workflow</c> step naming it calls itself.</summary>
    public string? WorkflowId { get; private set; }

    /// <summary>For an inline child definition: the ids of the definitions it is nested in, outermost first.</summary>
    public IReadOnlyList<string> Callers { get; init; } = [];

    public WorkflowDefinition? ReadWorkflow(JsonNode? root, string json)
    {
        if (root is not JsonObject obj)
        {
            Error("$", "must be a JSON object");
            return null;
        }

        CheckUnknown(obj, "$", RootProperties);
        var id = RequiredName(obj, "id", "$");
        if (id is not null && id.Trim().Length == 0)
        {
            Error("$.id", "must not be empty");
        }

        WorkflowId = id;
        CheckAnnotations(obj, "$");
        OptionalString(obj, "$schema", "$");
        var version = OptionalInt(obj, "version", "$", min: 1) ?? 1;
        var inputSchema = OptionalSchema(obj, "inputSchema", "$");
        var timeout = OptionalDuration(obj, "timeout", "$");
        var output = obj["output"];
        if (output is not null)
        {
            CheckTemplates(output, "$.output");
        }

        var steps = ReadStepList(obj, "steps", "$", required: true, allowEmpty: false);
        Steps = steps;
        if (id is null)
        {
            return null;
        }

        return new WorkflowDefinition
        {
            Id = id,
            Version = version,
            InputSchema = inputSchema?.DeepClone(),
            Steps = steps,
            Output = output?.DeepClone(),
            Timeout = timeout,
            Json = json,
            Limits = Limits,
        };
    }

    public List<StepDefinition> ReadStepList(JsonObject owner, string property, string ownerPath, bool required, bool allowEmpty)
    {
        var path = $"{ownerPath}.{property}";
        var node = owner[property];
        if (node is null)
        {
            if (required)
            {
                Error(path, owner.ContainsKey(property) ? "must be an array of steps" : "is required");
            }

            return [];
        }

        return ReadSteps(node, path, allowEmpty);
    }

    /// <summary>A step list that is there but null.</summary>
    public List<StepDefinition> MissingSteps(string path)
    {
        Error(path, "must be an array of steps");
        return [];
    }

    public List<StepDefinition> ReadSteps(JsonNode node, string path, bool allowEmpty)
    {
        if (node is not JsonArray array)
        {
            Error(path, "must be an array of steps");
            return [];
        }

        if (array.Count == 0 && !allowEmpty)
        {
            Error(path, "must contain at least one step");
        }

        var steps = new List<StepDefinition>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (++_steps > Limits.MaxSteps)
            {
                if (!_tooManySteps)
                {
                    _tooManySteps = true;
                    Incomplete = true;
                    Error($"{path}[{i}]", $"the definition has more than {Format(Limits.MaxSteps)} steps ({WorkflowLimits.SectionName}:MaxSteps)");
                }

                break;
            }

            var step = ReadStep(array[i], $"{path}[{i}]");
            if (step is not null)
            {
                steps.Add(step);
            }
            else if (array[i] is JsonObject unread && unread["id"] is JsonValue idValue && idValue.GetValueKind() == JsonValueKind.String)
            {
                _unread.Add(idValue.GetValue<string>());
            }
        }

        return steps;
    }

    private StepDefinition? ReadStep(JsonNode? node, string path)
    {
        if (node is not JsonObject obj)
        {
            Error(path, "must be a step object");
            return null;
        }

        var id = RequiredName(obj, "id", path);
        if (id is not null)
        {
            if (!IdPattern().IsMatch(id))
            {
                Error($"{path}.id", $"'{Shorten(id)}' is not a valid id: use letters, digits, '_' or '-', starting with a letter or '_'");
            }
            else if (_ids.TryGetValue(id, out var firstPath))
            {
                Error($"{path}.id", $"duplicate step id '{id}' (first used at {firstPath})");
            }
            else
            {
                _ids[id] = path;
            }
        }

        var type = RequiredString(obj, "type", path);
        if (type is null)
        {
            return null;
        }

        if (NodeTypes.Find(type) is not { } nodeType)
        {
            Error($"{path}.type", $"unknown step type '{Shorten(type)}'; expected one of {string.Join(", ", NodeTypes.Names)}");
            return null;
        }

        CheckUnknown(obj, path, nodeType.Properties, CommonStepProperties);
        CheckAnnotations(obj, path);
        id ??= "";
        var step = nodeType.IsContainer
            ? Nested(path, () => nodeType.Read(obj, id, path, this))
            : nodeType.Read(obj, id, path, this);
        return step;
    }

    /// <summary>Reads a container's children one level deeper, refusing more than the nesting limit.</summary>
    private StepDefinition? Nested(string path, Func<StepDefinition> read)
    {
        if (_depth >= Limits.MaxNestingDepth)
        {
            Incomplete = true;
            Error(path, $"containers nest deeper than {Format(Limits.MaxNestingDepth)} levels ({WorkflowLimits.SectionName}:MaxNestingDepth)");
            return null;
        }

        _depth++;
        try
        {
            return read();
        }
        finally
        {
            _depth--;
        }
    }

    public StepRetryPolicy? ReadRetry(JsonObject owner, string ownerPath)
    {
        var path = $"{ownerPath}.retry";
        switch (owner["retry"])
        {
            case null:
                return null;
            case JsonObject obj:
                {
                    CheckUnknown(obj, path, RetryProperties);
                    var defaults = new StepRetryPolicy();
                    var initial = OptionalDuration(obj, "initialInterval", path);
                    if (initial is { } i && i <= TimeSpan.Zero)
                    {
                        Error($"{path}.initialInterval", "must be greater than zero");
                    }

                    var backoff = OptionalNumber(obj, "backoffRate", path);
                    if (backoff is < 1)
                    {
                        Error($"{path}.backoffRate", "must be >= 1");
                    }
                    else if (backoff is { } rate && !(rate <= Limits.MaxBackoffRate))
                    {
                        Error($"{path}.backoffRate", $"must be <= {Limits.MaxBackoffRate.ToString(CultureInfo.InvariantCulture)} ({WorkflowLimits.SectionName}:MaxBackoffRate)");
                        backoff = null;
                    }

                    var jitter = OptionalString(obj, "jitter", path);
                    if (jitter is not null and not "none" and not "full")
                    {
                        Error($"{path}.jitter", $"must be 'none' or 'full', not '{Shorten(jitter)}'");
                    }

                    return new StepRetryPolicy
                    {
                        MaxAttempts = OptionalInt(obj, "maxAttempts", path, min: 1, max: Limits.MaxAttempts, "MaxAttempts") ?? defaults.MaxAttempts,
                        InitialInterval = initial ?? defaults.InitialInterval,
                        BackoffRate = backoff ?? defaults.BackoffRate,
                        MaxInterval = OptionalDuration(obj, "maxInterval", path),
                        Jitter = jitter ?? defaults.Jitter,
                        RetryOn = OptionalStringArray(obj, "retryOn", path),
                        NonRetryable = OptionalStringArray(obj, "nonRetryable", path) ?? [],
                    };
                }

            default:
                Error(path, "must be an object");
                return null;
        }
    }

    public void CheckUnknown(JsonObject obj, string path, IReadOnlySet<string> allowed, IReadOnlySet<string>? alsoAllowed = null)
    {
        foreach (var (name, _) in obj)
        {
            if (!allowed.Contains(name) && alsoAllowed?.Contains(name) != true)
            {
                Error($"{path}{PropertyPath(name)}", "is not a known property");
            }
        }
    }

    /// <summary>The engine ignores them, but designers display them, so they must be text.</summary>
    private void CheckAnnotations(JsonObject obj, string path)
    {
        OptionalString(obj, "name", path);
        OptionalString(obj, "description", path);
    }

    public string? RequiredString(JsonObject obj, string name, string path)
    {
        if (!obj.ContainsKey(name))
        {
            Error($"{path}.{name}", "is required");
            return null;
        }

        return OptionalString(obj, name, path);
    }

    public string? OptionalString(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        var at = path + PropertyPath(name);
        if (node is null)
        {
            if (obj.ContainsKey(name))
            {
                Error(at, "must be a string");
            }

            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            Error(at, "must be a string");
            return null;
        }

        var value = node.GetValue<string>();
        if (value.Length == 0)
        {
            Error(at, "must not be empty");
            return null;
        }

        return value;
    }

    public string? RequiredExpression(JsonObject obj, string name, string path)
    {
        var text = RequiredString(obj, name, path);
        if (text is null)
        {
            return null;
        }

        var expression = Template.StripDelimiters(text);
        if (expression.Length > Limits.MaxExpressionLength)
        {
            Error($"{path}.{name}", TooLong("the expression", expression.Length, Limits.MaxExpressionLength, "MaxExpressionLength"));
        }
        else if (!ExpressionCompiler.TryCompile(expression, out _, out var error))
        {
            Error($"{path}.{name}", $"invalid expression: {error}");
        }

        return text;
    }

    /// <summary>A required id or name: a string no longer than the id limit.</summary>
    public string? RequiredName(JsonObject obj, string name, string path)
    {
        var text = RequiredString(obj, name, path);
        if (text is not null && text.Length > Limits.MaxIdLength)
        {
            Error($"{path}.{name}", TooLong("the " + name, text.Length, Limits.MaxIdLength, "MaxIdLength"));
            return null;
        }

        return text;
    }

    public int? OptionalInt(JsonObject obj, string name, string path, int min, int max = int.MaxValue, string? limit = null)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<int>(out var value))
        {
            Error($"{path}.{name}", $"must be an integer >= {min}");
            return null;
        }

        if (value < min)
        {
            Error($"{path}.{name}", $"must be >= {min}");
            return null;
        }

        if (value > max)
        {
            Error($"{path}.{name}", $"must be <= {Format(max)} ({WorkflowLimits.SectionName}:{limit})");
            return null;
        }

        return value;
    }

    public bool? OptionalBool(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        var at = path + PropertyPath(name);
        if (node is null)
        {
            if (obj.ContainsKey(name))
            {
                Error(at, "must be true or false");
            }

            return null;
        }

        if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(at, $"must be true or false, not {Shorten(node.ToJsonString())}");
            return null;
        }

        return node.GetValue<bool>();
    }

    public double? OptionalNumber(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number)
        {
            Error($"{path}.{name}", "must be a number");
            return null;
        }

        // 1e309 reads as infinity, which no clock or serializer can use.
        var value = node.GetValue<double>();
        if (!double.IsFinite(value))
        {
            Error($"{path}.{name}", $"must be a finite number, not {Shorten(node.ToJsonString())}");
            return null;
        }

        return value;
    }

    public JsonObject? OptionalObject(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject o)
        {
            Error($"{path}.{name}", "must be a JSON Schema object");
            return null;
        }

        return o;
    }

    /// <summary>An optional JSON Schema (<c>inputSchema</c>, a wait's <c>schema</c>, an ai step's <c>outputSchema</c>): an
    /// object that loads and refers only within itself (<see cref="Schemas.SchemaValidator.Problem"/>).</summary>
    public JsonObject? OptionalSchema(JsonObject obj, string name, string path)
    {
        var schema = OptionalObject(obj, name, path);
        if (schema is not null && Schemas.SchemaValidator.Problem(schema) is { } problem)
        {
            Error($"{path}.{name}", problem);
        }

        return schema;
    }

    public TimeSpan? OptionalDuration(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() == JsonValueKind.String && TryParseDuration(node.GetValue<string>(), out var duration))
        {
            if (duration < TimeSpan.Zero)
            {
                Error($"{path}.{name}", "must not be negative");
                return null;
            }

            if (duration > Limits.MaxDuration)
            {
                Error($"{path}.{name}", $"must be at most {XmlConvert.ToString(Limits.MaxDuration)} ({WorkflowLimits.SectionName}:MaxDuration)");
                return null;
            }

            return duration;
        }

        Error($"{path}.{name}", $"must be an ISO 8601 duration such as PT30S or P1D, not {Shorten(node.ToJsonString())}");
        return null;
    }

    public List<string>? OptionalStringArray(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        if (node is JsonArray array && array.All(e => e?.GetValueKind() == JsonValueKind.String))
        {
            return array.Select(e => e!.GetValue<string>()).ToList();
        }

        Error($"{path}.{name}", "must be an array of error type names");
        return null;
    }

    public void CheckTemplates(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    if (child is not null)
                    {
                        CheckTemplates(child, $"{path}{PropertyPath(name)}");
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } child)
                    {
                        CheckTemplates(child, $"{path}[{i}]");
                    }
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                if (!Template.TryParse(value.GetValue<string>(), Limits.MaxExpressionLength, out _, out var error))
                {
                    Error(path, error!);
                }

                break;
        }
    }
}
