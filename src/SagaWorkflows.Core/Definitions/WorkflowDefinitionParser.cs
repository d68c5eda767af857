using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Definitions;

/// <summary>
/// Parses and validates the JSON definition format, reporting every problem at once with its JSON
/// path, so a designer can show them all next to the fields that caused them.
/// </summary>
public static partial class WorkflowDefinitionParser
{
    // "$schema" lets editors find schemas/workflow.schema.json; the engine ignores it.
    private static readonly HashSet<string> RootProperties = ["$schema", "id", "version", "name", "description", "inputSchema", "steps", "output", "timeout"];
    private static readonly HashSet<string> CommonStepProperties = ["id", "type", "name", "description"];

    private static readonly Dictionary<string, HashSet<string>> StepProperties = new()
    {
        [StepTypes.Tool] = ["tool", "input", "retry", "timeout", "compensate"],
        [StepTypes.Ai] = ["model", "system", "prompt", "outputSchema", "retry", "timeout"],
        [StepTypes.Parallel] = ["branches"],
        [StepTypes.Foreach] = ["items", "concurrency", "steps"],
        [StepTypes.Loop] = ["until", "while", "maxIterations", "steps"],
        [StepTypes.Branch] = ["cases", "default"],
        [StepTypes.Wait] = ["signal", "schema", "timeout"],
        [StepTypes.Sleep] = ["duration"],
    };

    private static readonly HashSet<string> RetryProperties = ["maxAttempts", "initialInterval", "backoffRate", "maxInterval", "jitter", "retryOn", "nonRetryable"];
    private static readonly HashSet<string> CompensateProperties = ["tool", "input", "retry"];

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex IdPattern();

    public static DefinitionParseResult Parse(string json) => Parse(json, WorkflowLimits.Default);

    /// <summary>Parses and validates <paramref name="json"/>, refusing anything beyond <paramref name="limits"/>.</summary>
    public static DefinitionParseResult Parse(string json, WorkflowLimits limits)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(limits);
        if (json.Length > limits.MaxDefinitionLength)
        {
            return new DefinitionParseResult(null, [new ValidationError("$",
                $"the definition is {Format(json.Length)} characters long; the limit is {Format(limits.MaxDefinitionLength)} ({WorkflowLimits.SectionName}:MaxDefinitionLength)")]);
        }

        JsonNode? root;
        try
        {
            // Duplicates are refused here because JsonObject would otherwise throw on first access.
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
                AllowDuplicateProperties = false,
            });
        }
        catch (JsonException ex)
        {
            if (ex.LineNumber is null)
            {
                var duplicates = JsonText.FindDuplicateProperties(json);
                if (duplicates.Count > 0)
                {
                    return new DefinitionParseResult(null, duplicates);
                }
            }

            return new DefinitionParseResult(null, [new ValidationError("$", JsonText.DescribeSyntaxError(json, ex))]);
        }
        catch (ArgumentException)
        {
            // System.Text.Json transcodes to UTF-8 first, and a lone surrogate has no UTF-8 form.
            return new DefinitionParseResult(null, [new ValidationError("$", "the definition is not valid text: it holds a lone UTF-16 surrogate")]);
        }

        var reader = new Reader(limits);
        try
        {
            var definition = reader.ReadWorkflow(root, json);
            reader.Errors.AddRange(StepReferenceValidator.Check(root, reader.Errors));
            return new DefinitionParseResult(reader.Errors.Count == 0 ? definition : null, reader.Errors);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("surrogate", StringComparison.OrdinalIgnoreCase))
        {
            // An escaped lone surrogate ("\ud800") is valid JSON but no string: it fails where a value is read.
            return new DefinitionParseResult(null, [.. reader.Errors, new ValidationError("$", "a string of the definition holds a lone UTF-16 surrogate escape such as \\ud800")]);
        }
    }

    private sealed class Reader(WorkflowLimits limits)
    {
        private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
        private int _steps;
        private int _depth;
        private bool _tooManySteps;

        public List<ValidationError> Errors { get; } = [];

        private void Error(string path, string message) => Errors.Add(new ValidationError(path, message));

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

            CheckAnnotations(obj, "$");
            OptionalString(obj, "$schema", "$");
            var version = OptionalInt(obj, "version", "$", min: 1) ?? 1;
            var inputSchema = OptionalObject(obj, "inputSchema", "$");
            var timeout = OptionalDuration(obj, "timeout", "$");
            var output = obj["output"];
            if (output is not null)
            {
                CheckTemplates(output, "$.output");
            }

            var steps = ReadStepList(obj, "steps", "$", required: true, allowEmpty: false);
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
                Limits = limits,
            };
        }

        private List<StepDefinition> ReadStepList(JsonObject owner, string property, string ownerPath, bool required, bool allowEmpty)
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

        private List<StepDefinition> ReadSteps(JsonNode node, string path, bool allowEmpty)
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
                if (++_steps > limits.MaxSteps)
                {
                    if (!_tooManySteps)
                    {
                        _tooManySteps = true;
                        Error($"{path}[{i}]", $"the definition has more than {Format(limits.MaxSteps)} steps ({WorkflowLimits.SectionName}:MaxSteps)");
                    }

                    break;
                }

                var step = ReadStep(array[i], $"{path}[{i}]");
                if (step is not null)
                {
                    steps.Add(step);
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

            if (!StepProperties.TryGetValue(type, out var allowed))
            {
                Error($"{path}.type", $"unknown step type '{Shorten(type)}'; expected one of {string.Join(", ", StepTypes.All)}");
                return null;
            }

            CheckUnknown(obj, path, allowed, CommonStepProperties);
            CheckAnnotations(obj, path);
            id ??= "";
            return type switch
            {
                StepTypes.Tool => ReadTool(obj, id, path),
                StepTypes.Ai => ReadAi(obj, id, path),
                StepTypes.Parallel => Nested(path, () => ReadParallel(obj, id, path)),
                StepTypes.Foreach => Nested(path, () => ReadForeach(obj, id, path)),
                StepTypes.Loop => Nested(path, () => ReadLoop(obj, id, path)),
                StepTypes.Branch => Nested(path, () => ReadBranch(obj, id, path)),
                StepTypes.Wait => ReadWait(obj, id, path),
                _ => ReadSleep(obj, id, path),
            };
        }

        /// <summary>Reads a container's children one level deeper, refusing more than the nesting limit.</summary>
        private StepDefinition? Nested(string path, Func<StepDefinition> read)
        {
            if (_depth >= limits.MaxNestingDepth)
            {
                Error(path, $"containers nest deeper than {Format(limits.MaxNestingDepth)} levels ({WorkflowLimits.SectionName}:MaxNestingDepth)");
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

        private ToolStep ReadTool(JsonObject obj, string id, string path)
        {
            var tool = RequiredName(obj, "tool", path) ?? "";
            var input = obj["input"];
            if (input is not null)
            {
                CheckTemplates(input, $"{path}.input");
            }

            CompensationDefinition? compensate = null;
            if (obj["compensate"] is { } c)
            {
                var cPath = $"{path}.compensate";
                if (c is not JsonObject cObj)
                {
                    Error(cPath, "must be an object with 'tool' and optional 'input'");
                }
                else
                {
                    CheckUnknown(cObj, cPath, CompensateProperties);
                    var cInput = cObj["input"];
                    if (cInput is not null)
                    {
                        CheckTemplates(cInput, $"{cPath}.input");
                    }

                    compensate = new CompensationDefinition
                    {
                        Tool = RequiredName(cObj, "tool", cPath) ?? "",
                        Input = cInput?.DeepClone(),
                        Retry = ReadRetry(cObj, cPath),
                    };
                }
            }

            return new ToolStep
            {
                Id = id,
                JsonPath = path,
                Tool = tool,
                Input = input?.DeepClone(),
                Retry = ReadRetry(obj, path),
                Timeout = OptionalDuration(obj, "timeout", path),
                Compensate = compensate,
            };
        }

        private AiStep ReadAi(JsonObject obj, string id, string path)
        {
            var prompt = RequiredString(obj, "prompt", path) ?? "";
            CheckTemplates(JsonValue.Create(prompt), $"{path}.prompt");
            var system = OptionalString(obj, "system", path);
            if (system is not null)
            {
                CheckTemplates(JsonValue.Create(system), $"{path}.system");
            }

            return new AiStep
            {
                Id = id,
                JsonPath = path,
                Model = RequiredName(obj, "model", path) ?? "",
                Prompt = prompt,
                System = system,
                OutputSchema = OptionalObject(obj, "outputSchema", path)?.DeepClone(),
                Retry = ReadRetry(obj, path),
                Timeout = OptionalDuration(obj, "timeout", path),
            };
        }

        private ParallelStep ReadParallel(JsonObject obj, string id, string path)
        {
            var branches = new List<KeyValuePair<string, IReadOnlyList<StepDefinition>>>();
            var bPath = $"{path}.branches";
            switch (obj["branches"])
            {
                case null:
                    Error(bPath, "is required");
                    break;
                case JsonObject b when b.Count == 0:
                    Error(bPath, "must name at least one branch");
                    break;
                case JsonObject b:
                    foreach (var (name, steps) in b)
                    {
                        var stepsPath = $"{bPath}{PropertyPath(name)}";
                        if (name.Length > limits.MaxIdLength)
                        {
                            Error(stepsPath, TooLong("a branch name", name.Length, limits.MaxIdLength, "MaxIdLength"));
                        }

                        branches.Add(new(name, steps is null ? Missing(stepsPath) : ReadSteps(steps, stepsPath, allowEmpty: true)));
                    }

                    break;
                default:
                    Error(bPath, "must be an object of branch name → steps");
                    break;
            }

            return new ParallelStep { Id = id, JsonPath = path, Branches = branches };
        }

        private List<StepDefinition> Missing(string path)
        {
            Error(path, "must be an array of steps");
            return [];
        }

        private ForeachStep ReadForeach(JsonObject obj, string id, string path) => new()
        {
            Id = id,
            JsonPath = path,
            Items = RequiredExpression(obj, "items", path) ?? "",
            Concurrency = OptionalInt(obj, "concurrency", path, min: 1, max: limits.MaxConcurrency, "MaxConcurrency") ?? 1,
            Steps = ReadStepList(obj, "steps", path, required: true, allowEmpty: false),
        };

        private LoopStep ReadLoop(JsonObject obj, string id, string path)
        {
            string? until = null, @while = null;
            if (obj.ContainsKey("until") && obj.ContainsKey("while"))
            {
                Error(path, "set either 'until' (do-until) or 'while' (do-while), not both");
            }
            else if (obj.ContainsKey("while"))
            {
                @while = RequiredExpression(obj, "while", path);
            }
            else if (obj.ContainsKey("until"))
            {
                until = RequiredExpression(obj, "until", path);
            }
            else
            {
                Error($"{path}.until", "is required (or 'while')");
            }

            return new LoopStep
            {
                Id = id,
                JsonPath = path,
                Until = until,
                While = @while,
                MaxIterations = OptionalInt(obj, "maxIterations", path, min: 1, max: limits.MaxLoopIterations, "MaxLoopIterations")
                    ?? Math.Min(LoopStep.DefaultMaxIterations, limits.MaxLoopIterations),
                Steps = ReadStepList(obj, "steps", path, required: true, allowEmpty: false),
            };
        }

        private BranchStep ReadBranch(JsonObject obj, string id, string path)
        {
            var cases = new List<BranchCase>();
            var cPath = $"{path}.cases";
            switch (obj["cases"])
            {
                case null:
                    Error(cPath, "is required");
                    break;
                case JsonArray array:
                    if (array.Count == 0)
                    {
                        Error(cPath, "must contain at least one case");
                    }

                    for (var i = 0; i < array.Count; i++)
                    {
                        var casePath = $"{cPath}[{i}]";
                        if (array[i] is not JsonObject c)
                        {
                            Error(casePath, "must be an object with 'when' and 'steps'");
                            continue;
                        }

                        CheckUnknown(c, casePath, ["when", "steps"]);
                        var when = RequiredExpression(c, "when", casePath) ?? "";
                        cases.Add(new BranchCase(when, ReadStepList(c, "steps", casePath, required: true, allowEmpty: true)));
                    }

                    break;
                default:
                    Error(cPath, "must be an array of { when, steps }");
                    break;
            }

            return new BranchStep
            {
                Id = id,
                JsonPath = path,
                Cases = cases,
                Default = ReadStepList(obj, "default", path, required: false, allowEmpty: true),
            };
        }

        private WaitStep ReadWait(JsonObject obj, string id, string path) => new()
        {
            Id = id,
            JsonPath = path,
            Signal = RequiredName(obj, "signal", path) ?? "",
            Schema = OptionalObject(obj, "schema", path)?.DeepClone(),
            Timeout = OptionalDuration(obj, "timeout", path),
        };

        private SleepStep ReadSleep(JsonObject obj, string id, string path)
        {
            TimeSpan duration = default;
            if (!obj.ContainsKey("duration"))
            {
                Error($"{path}.duration", "is required");
            }
            else
            {
                duration = OptionalDuration(obj, "duration", path) ?? default;
            }

            return new SleepStep { Id = id, JsonPath = path, Duration = duration };
        }

        private StepRetryPolicy? ReadRetry(JsonObject owner, string ownerPath)
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
                        else if (backoff is { } rate && !(rate <= limits.MaxBackoffRate))
                        {
                            Error($"{path}.backoffRate", $"must be <= {limits.MaxBackoffRate.ToString(CultureInfo.InvariantCulture)} ({WorkflowLimits.SectionName}:MaxBackoffRate)");
                            backoff = null;
                        }

                        var jitter = OptionalString(obj, "jitter", path);
                        if (jitter is not null and not "none" and not "full")
                        {
                            Error($"{path}.jitter", $"must be 'none' or 'full', not '{Shorten(jitter)}'");
                        }

                        return new StepRetryPolicy
                        {
                            MaxAttempts = OptionalInt(obj, "maxAttempts", path, min: 1, max: limits.MaxAttempts, "MaxAttempts") ?? defaults.MaxAttempts,
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

        private void CheckUnknown(JsonObject obj, string path, HashSet<string> allowed, HashSet<string>? alsoAllowed = null)
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

        private string? RequiredString(JsonObject obj, string name, string path)
        {
            if (!obj.ContainsKey(name))
            {
                Error($"{path}.{name}", "is required");
                return null;
            }

            return OptionalString(obj, name, path);
        }

        private string? OptionalString(JsonObject obj, string name, string path)
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

        private string? RequiredExpression(JsonObject obj, string name, string path)
        {
            var text = RequiredString(obj, name, path);
            if (text is null)
            {
                return null;
            }

            var expression = Template.StripDelimiters(text);
            if (expression.Length > limits.MaxExpressionLength)
            {
                Error($"{path}.{name}", TooLong("the expression", expression.Length, limits.MaxExpressionLength, "MaxExpressionLength"));
            }
            else if (!ExpressionCompiler.TryCompile(expression, out _, out var error))
            {
                Error($"{path}.{name}", $"invalid expression: {error}");
            }

            return text;
        }

        /// <summary>A required id or name: a string no longer than the id limit.</summary>
        private string? RequiredName(JsonObject obj, string name, string path)
        {
            var text = RequiredString(obj, name, path);
            if (text is not null && text.Length > limits.MaxIdLength)
            {
                Error($"{path}.{name}", TooLong("the " + name, text.Length, limits.MaxIdLength, "MaxIdLength"));
                return null;
            }

            return text;
        }

        private int? OptionalInt(JsonObject obj, string name, string path, int min, int max = int.MaxValue, string? limit = null)
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

        private double? OptionalNumber(JsonObject obj, string name, string path)
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

        private JsonObject? OptionalObject(JsonObject obj, string name, string path)
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

        private TimeSpan? OptionalDuration(JsonObject obj, string name, string path)
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

                if (duration > limits.MaxDuration)
                {
                    Error($"{path}.{name}", $"must be at most {XmlConvert.ToString(limits.MaxDuration)} ({WorkflowLimits.SectionName}:MaxDuration)");
                    return null;
                }

                return duration;
            }

            Error($"{path}.{name}", $"must be an ISO 8601 duration such as PT30S or P1D, not {Shorten(node.ToJsonString())}");
            return null;
        }

        private List<string>? OptionalStringArray(JsonObject obj, string name, string path)
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

        private void CheckTemplates(JsonNode node, string path)
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
                    if (!Template.TryParse(value.GetValue<string>(), limits.MaxExpressionLength, out _, out var error))
                    {
                        Error(path, error!);
                    }

                    break;
            }
        }
    }

    /// <summary>ISO 8601 durations (<c>PT30S</c>, <c>P1D</c>, <c>PT0.5S</c>).</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        // XmlConvert tolerates surrounding blanks; the schema's pattern does not, and both must agree.
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith('P') && !text.StartsWith("-P", StringComparison.Ordinal)
            || char.IsWhiteSpace(text[^1]))
        {
            return false;
        }

        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    internal static string PropertyPath(string name) =>
        IdPattern().IsMatch(name) && !name.Contains('-', StringComparison.Ordinal) && name.Length <= MaxPathNameLength
            ? "." + name
            : "['" + Shorten(name).Replace("'", "\\'", StringComparison.Ordinal) + "']";

    /// <summary>Names beyond this are cut in paths and messages, so a hostile name cannot make every message huge.</summary>
    private const int MaxPathNameLength = 256;

    private static string Shorten(string text) =>
        text.Length <= MaxPathNameLength ? text : string.Concat(text.AsSpan(0, 64), "…(", Format(text.Length), " characters)");

    private static string TooLong(string what, int length, int limit, string setting) =>
        $"{what} is {Format(length)} characters long; the limit is {Format(limit)} ({WorkflowLimits.SectionName}:{setting})";

    internal static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
