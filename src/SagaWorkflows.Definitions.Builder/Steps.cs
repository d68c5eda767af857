using System.Text.Json.Nodes;

namespace SagaWorkflows.Definitions;

/// <summary>Creates the steps of a definition, one factory per node type of the format.</summary>
public static class Step
{
    /// <summary><c>tool</c>: runs <paramref name="tool"/> on a worker that hosts it.</summary>
    public static ToolStep Tool(string id, string tool) => new(id, tool);

    /// <summary><c>ai</c>: asks the chat model registered as <paramref name="model"/>; <paramref name="prompt"/> is a template.</summary>
    public static AiStep Ai(string id, string model, string prompt) => new(id, model, prompt);

    /// <summary><c>parallel</c>: named branches run at once; add them with <see cref="ParallelStep.Branch"/>.</summary>
    public static ParallelStep Parallel(string id) => new(id);

    /// <summary><c>foreach</c>: <paramref name="steps"/> once per element of <paramref name="items"/> (an expression), <c>item</c> and <c>index</c> in scope.</summary>
    public static ForeachStep Foreach(string id, string items, params IEnumerable<StepBuilder> steps) => new ForeachStep(id, items).Steps(steps);

    /// <summary><c>loop</c>: the body, then <see cref="LoopStep.Until"/> or <see cref="LoopStep.While"/>; <c>iteration</c> in scope.</summary>
    public static LoopStep Loop(string id, params IEnumerable<StepBuilder> steps) => new LoopStep(id).Steps(steps);

    /// <summary><c>branch</c>: the first <see cref="BranchStep.Case"/> whose condition holds, else <see cref="BranchStep.Default"/>.</summary>
    public static BranchStep Branch(string id) => new(id);

    /// <summary><c>wait</c>: waits for the signal <paramref name="signal"/>; its payload is the output.</summary>
    public static WaitStep Wait(string id, string signal) => new(id, signal);

    /// <summary><c>sleep</c>: a durable timer; outputs its input.</summary>
    public static SleepStep Sleep(string id, TimeSpan duration) => new(id, Duration.Format(duration), null);

    /// <summary><c>sleep</c> for an ISO 8601 duration (<c>PT30S</c>, <c>P1D</c>).</summary>
    public static SleepStep Sleep(string id, string isoDuration) => new(id, isoDuration, null);

    /// <summary><c>sleep</c> until the time <paramref name="timestamp"/> evaluates to when the step starts: an expression
    /// (<c>input.deliverAt</c>) yielding an ISO 8601 timestamp with an offset; a time already past completes at once.</summary>
    public static SleepStep SleepUntil(string id, string timestamp) => new(id, null, timestamp);

    /// <summary><c>workflow</c>: runs the registered workflow <paramref name="workflowId"/> as a child run.</summary>
    public static WorkflowStep Workflow(string id, string workflowId) => new(id, workflowId, null);

    /// <summary><c>workflow</c>: runs <paramref name="definition"/>, inline, as a child run.</summary>
    public static WorkflowStep Workflow(string id, Definitions.Workflow definition) => new(id, null, definition);
}

/// <summary>A step of a definition: its <c>id</c>, <c>type</c>, optional <c>name</c> and <c>description</c>, and its type's fields.</summary>
public abstract class StepBuilder
{
    private protected StepBuilder(string id, string type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        Type = type;
    }

    /// <summary>The step's id: unique in the definition, what expressions read as <c>steps.&lt;id&gt;</c>.</summary>
    public string Id { get; }

    /// <summary>The node type as the format names it: <c>tool</c>, <c>ai</c>, <c>parallel</c>, …</summary>
    public string Type { get; }

    private protected string? NameText { get; set; }

    private protected string? DescriptionText { get; set; }

    /// <summary>The step as a JSON object of the definition format.</summary>
    public JsonObject ToJsonObject()
    {
        var json = new JsonObject { ["id"] = Id, ["type"] = Type };
        Json.Add(json, "name", NameText);
        Json.Add(json, "description", DescriptionText);
        WriteFields(json);
        return json;
    }

    private protected abstract void WriteFields(JsonObject json);

    internal static JsonArray ToJsonArray(IEnumerable<StepBuilder> steps) => new(steps.Select(s => (JsonNode?)s.ToJsonObject()).ToArray());
}

/// <summary>What every step type shares, returning the step's own type so calls chain.</summary>
public abstract class StepBuilder<TSelf> : StepBuilder where TSelf : StepBuilder<TSelf>
{
    private protected StepBuilder(string id, string type)
        : base(id, type)
    {
    }

    /// <summary><c>name</c>: a display name.</summary>
    public TSelf Name(string name)
    {
        NameText = name;
        return (TSelf)this;
    }

    /// <summary><c>description</c>.</summary>
    public TSelf Description(string description)
    {
        DescriptionText = description;
        return (TSelf)this;
    }
}

/// <summary>How a <c>tool</c> or <c>ai</c> step is retried (<c>retry</c>); unset fields take the format's defaults.</summary>
public sealed record RetryPolicy
{
    /// <summary><c>maxAttempts</c>: attempts in all, the first included (default 3).</summary>
    public int? MaxAttempts { get; init; }

    /// <summary><c>initialInterval</c>: the delay before the second attempt (default 1 s).</summary>
    public TimeSpan? InitialInterval { get; init; }

    /// <summary><c>backoffRate</c>: the delay's factor per attempt, at least 1 (default 2).</summary>
    public double? BackoffRate { get; init; }

    /// <summary><c>maxInterval</c>: the longest delay.</summary>
    public TimeSpan? MaxInterval { get; init; }

    /// <summary><c>jitter</c>.</summary>
    public Jitter? Jitter { get; init; }

    /// <summary><c>retryOn</c>: only these error types are retried.</summary>
    public IReadOnlyList<string>? RetryOn { get; init; }

    /// <summary><c>nonRetryable</c>: these error types are never retried.</summary>
    public IReadOnlyList<string>? NonRetryable { get; init; }

    internal JsonObject ToJsonObject()
    {
        var json = new JsonObject();
        Json.Add(json, "maxAttempts", MaxAttempts);
        Json.Add(json, "initialInterval", InitialInterval is { } initial ? Duration.Format(initial) : null);
        Json.Add(json, "backoffRate", BackoffRate);
        Json.Add(json, "maxInterval", MaxInterval is { } max ? Duration.Format(max) : null);
        Json.Add(json, "jitter", Jitter switch
        {
            null => null,
            Definitions.Jitter.Full => "full",
            _ => "none",
        });
        if (RetryOn is not null)
        {
            json["retryOn"] = Json.Strings(RetryOn);
        }

        if (NonRetryable is not null)
        {
            json["nonRetryable"] = Json.Strings(NonRetryable);
        }

        return json;
    }
}

/// <summary>Randomisation of retry delays.</summary>
public enum Jitter
{
    /// <summary><c>none</c>: the computed delay.</summary>
    None,

    /// <summary><c>full</c>: uniform between zero and the computed delay.</summary>
    Full,
}

/// <summary><c>tool</c>: runs a tool on a worker that hosts it.</summary>
public sealed class ToolStep : StepBuilder<ToolStep>
{
    private JsonNode? _input;
    private RetryPolicy? _retry;
    private string? _timeout;
    private JsonObject? _compensate;

    internal ToolStep(string id, string tool)
        : base(id, "tool")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tool);
        Tool = tool;
    }

    /// <summary>The tool's name, as the worker registered it.</summary>
    public string Tool { get; }

    /// <summary><c>input</c>: a template (strings may hold <c>${ … }</c>); without it the tool gets the previous step's output.</summary>
    public ToolStep Input(object? template)
    {
        _input = Json.From(template);
        return this;
    }

    /// <summary><c>retry</c>.</summary>
    public ToolStep Retry(RetryPolicy retry)
    {
        _retry = retry;
        return this;
    }

    /// <summary><c>timeout</c> of one attempt.</summary>
    public ToolStep Timeout(TimeSpan timeout) => Timeout(Duration.Format(timeout));

    /// <summary><c>timeout</c> of one attempt, as an ISO 8601 duration.</summary>
    public ToolStep Timeout(string isoDuration)
    {
        _timeout = isoDuration;
        return this;
    }

    /// <summary><c>compensate</c>: the tool that undoes this step if the run fails or is cancelled, its input
    /// template (it can read this step's output as <c>steps.&lt;id&gt;</c>; default: that output) and its retries.</summary>
    public ToolStep Compensate(string tool, object? input = null, RetryPolicy? retry = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tool);
        _compensate = new JsonObject { ["tool"] = tool };
        Json.Add(_compensate, "input", Json.From(input));
        Json.Add(_compensate, "retry", retry?.ToJsonObject());
        return this;
    }

    private protected override void WriteFields(JsonObject json)
    {
        json["tool"] = Tool;
        Json.Add(json, "input", _input?.DeepClone());
        Json.Add(json, "retry", _retry?.ToJsonObject());
        Json.Add(json, "timeout", _timeout);
        Json.Add(json, "compensate", _compensate?.DeepClone());
    }
}

/// <summary><c>ai</c>: asks a registered chat model; the reply is parsed JSON validated against the output schema, or text.</summary>
public sealed class AiStep : StepBuilder<AiStep>
{
    private string? _system;
    private JsonNode? _outputSchema;
    private RetryPolicy? _retry;
    private string? _timeout;
    private bool? _stream;

    internal AiStep(string id, string model, string prompt)
        : base(id, "ai")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(prompt);
        Model = model;
        Prompt = prompt;
    }

    /// <summary>The registered chat client's name.</summary>
    public string Model { get; }

    /// <summary>The prompt template.</summary>
    public string Prompt { get; }

    /// <summary><c>system</c>: the system message template.</summary>
    public AiStep System(string template)
    {
        _system = template;
        return this;
    }

    /// <summary><c>outputSchema</c>: the JSON Schema the model's reply must match.</summary>
    public AiStep OutputSchema(object? schema)
    {
        _outputSchema = Json.From(schema);
        return this;
    }

    /// <summary><c>retry</c>.</summary>
    public AiStep Retry(RetryPolicy retry)
    {
        _retry = retry;
        return this;
    }

    /// <summary><c>timeout</c> of one attempt.</summary>
    public AiStep Timeout(TimeSpan timeout) => Timeout(Duration.Format(timeout));

    /// <summary><c>timeout</c> of one attempt, as an ISO 8601 duration.</summary>
    public AiStep Timeout(string isoDuration)
    {
        _timeout = isoDuration;
        return this;
    }

    /// <summary><c>stream</c>: the worker streams the model's reply and publishes its text as it grows (<c>step-progress</c>).</summary>
    public AiStep Stream(bool stream = true)
    {
        _stream = stream;
        return this;
    }

    private protected override void WriteFields(JsonObject json)
    {
        json["model"] = Model;
        Json.Add(json, "system", _system);
        json["prompt"] = Prompt;
        Json.Add(json, "outputSchema", _outputSchema?.DeepClone());
        Json.Add(json, "retry", _retry?.ToJsonObject());
        Json.Add(json, "timeout", _timeout);
        if (_stream is { } stream)
        {
            json["stream"] = stream;
        }
    }
}

/// <summary><c>parallel</c>: named branches that run at once; the output has one property per branch.</summary>
public sealed class ParallelStep : StepBuilder<ParallelStep>
{
    private readonly List<(string Name, List<StepBuilder> Steps)> _branches = [];

    internal ParallelStep(string id)
        : base(id, "parallel")
    {
    }

    /// <summary>Adds the branch <paramref name="name"/> with its steps (in definition order).</summary>
    public ParallelStep Branch(string name, params IEnumerable<StepBuilder> steps)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_branches.Any(b => b.Name == name))
        {
            throw new ArgumentException($"parallel '{Id}' already has a branch '{name}'", nameof(name));
        }

        _branches.Add((name, Json.NotNull(steps).ToList()));
        return this;
    }

    private protected override void WriteFields(JsonObject json)
    {
        var branches = new JsonObject();
        foreach (var (name, steps) in _branches)
        {
            branches[name] = ToJsonArray(steps);
        }

        json["branches"] = branches;
    }
}

/// <summary><c>foreach</c>: the body once per element of <c>items</c>, at most <c>concurrency</c> at once.</summary>
public sealed class ForeachStep : StepBuilder<ForeachStep>
{
    private readonly List<StepBuilder> _steps = [];
    private int? _concurrency;

    internal ForeachStep(string id, string items)
        : base(id, "foreach")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(items);
        Items = items;
    }

    /// <summary>The expression giving the array to iterate.</summary>
    public string Items { get; }

    /// <summary><c>concurrency</c>: iterations in flight at once (default 1).</summary>
    public ForeachStep Concurrency(int concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _concurrency = concurrency;
        return this;
    }

    /// <summary>Appends steps to the body.</summary>
    public ForeachStep Steps(params IEnumerable<StepBuilder> steps)
    {
        _steps.AddRange(Json.NotNull(steps));
        return this;
    }

    private protected override void WriteFields(JsonObject json)
    {
        json["items"] = Items;
        Json.Add(json, "concurrency", _concurrency);
        json["steps"] = ToJsonArray(_steps);
    }
}

/// <summary><c>loop</c>: do-until or do-while; the body runs first, then the test.</summary>
public sealed class LoopStep : StepBuilder<LoopStep>
{
    private readonly List<StepBuilder> _steps = [];
    private string? _until;
    private string? _while;
    private int? _maxIterations;

    internal LoopStep(string id)
        : base(id, "loop")
    {
    }

    /// <summary><c>until</c>: stop once this expression is true (do-until).</summary>
    public LoopStep Until(string condition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(condition);
        (_until, _while) = (condition, null);
        return this;
    }

    /// <summary><c>while</c>: go on while this expression is true (do-while).</summary>
    public LoopStep While(string condition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(condition);
        (_while, _until) = (condition, null);
        return this;
    }

    /// <summary><c>maxIterations</c>: needing more fails the step (default 100).</summary>
    public LoopStep MaxIterations(int maxIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        _maxIterations = maxIterations;
        return this;
    }

    /// <summary>Appends steps to the body.</summary>
    public LoopStep Steps(params IEnumerable<StepBuilder> steps)
    {
        _steps.AddRange(Json.NotNull(steps));
        return this;
    }

    private protected override void WriteFields(JsonObject json)
    {
        Json.Add(json, "until", _until);
        Json.Add(json, "while", _while);
        Json.Add(json, "maxIterations", _maxIterations);
        json["steps"] = ToJsonArray(_steps);
    }
}

/// <summary><c>branch</c>: the first case whose condition holds, else the default path.</summary>
public sealed class BranchStep : StepBuilder<BranchStep>
{
    private readonly List<(string When, List<StepBuilder> Steps)> _cases = [];
    private List<StepBuilder>? _default;

    internal BranchStep(string id)
        : base(id, "branch")
    {
    }

    /// <summary>Adds a case: its steps run when <paramref name="when"/> (an expression) is the first true one.</summary>
    public BranchStep Case(string when, params IEnumerable<StepBuilder> steps)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(when);
        _cases.Add((when, Json.NotNull(steps).ToList()));
        return this;
    }

    /// <summary><c>default</c>: the steps when no case holds (none: the branch outputs its input).</summary>
    public BranchStep Default(params IEnumerable<StepBuilder> steps)
    {
        (_default ??= []).AddRange(Json.NotNull(steps));
        return this;
    }

    private protected override void WriteFields(JsonObject json)
    {
        json["cases"] = new JsonArray(_cases.Select(c => (JsonNode?)new JsonObject
        {
            ["when"] = c.When,
            ["steps"] = ToJsonArray(c.Steps),
        }).ToArray());
        if (_default is not null)
        {
            json["default"] = ToJsonArray(_default);
        }
    }
}

/// <summary><c>wait</c>: waits for a signal; its payload (validated by the schema, if any) is the output.</summary>
public sealed class WaitStep : StepBuilder<WaitStep>
{
    private JsonNode? _schema;
    private string? _timeout;

    internal WaitStep(string id, string signal)
        : base(id, "wait")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signal);
        Signal = signal;
    }

    /// <summary>The signal's name.</summary>
    public string Signal { get; }

    /// <summary><c>schema</c>: the JSON Schema the payload must match; a payload that does not is rejected and the wait goes on.</summary>
    public WaitStep Schema(object? schema)
    {
        _schema = Json.From(schema);
        return this;
    }

    /// <summary><c>timeout</c>: no signal within it fails the step.</summary>
    public WaitStep Timeout(TimeSpan timeout) => Timeout(Duration.Format(timeout));

    /// <summary><c>timeout</c> as an ISO 8601 duration.</summary>
    public WaitStep Timeout(string isoDuration)
    {
        _timeout = isoDuration;
        return this;
    }

    private protected override void WriteFields(JsonObject json)
    {
        json["signal"] = Signal;
        Json.Add(json, "schema", _schema?.DeepClone());
        Json.Add(json, "timeout", _timeout);
    }
}

/// <summary><c>sleep</c>: a durable timer for a duration or until a time; outputs its input.</summary>
public sealed class SleepStep : StepBuilder<SleepStep>
{
    internal SleepStep(string id, string? duration, string? until)
        : base(id, "sleep")
    {
        if (until is null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(duration);
        }
        else
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(until);
        }

        (DurationText, UntilExpression) = (duration, until);
    }

    /// <summary>The duration, ISO 8601; null when the step sleeps <see cref="UntilExpression"/>.</summary>
    public string? DurationText { get; }

    /// <summary>The <c>until</c> expression; null when the step sleeps <see cref="DurationText"/>.</summary>
    public string? UntilExpression { get; }

    private protected override void WriteFields(JsonObject json)
    {
        Json.Add(json, "duration", DurationText);
        Json.Add(json, "until", UntilExpression);
    }
}

/// <summary><c>workflow</c>: runs another workflow as a child run of its own; its output is the child's output.</summary>
public sealed class WorkflowStep : StepBuilder<WorkflowStep>
{
    private readonly Workflow? _definition;
    private int? _version;
    private JsonNode? _input;
    private RetryPolicy? _retry;

    internal WorkflowStep(string id, string? workflowId, Workflow? definition)
        : base(id, "workflow")
    {
        if (definition is null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        }

        WorkflowId = workflowId;
        _definition = definition;
    }

    /// <summary>The registered workflow it runs; null for an inline definition.</summary>
    public string? WorkflowId { get; }

    /// <summary><c>version</c> of the registered workflow (default: the newest).</summary>
    public WorkflowStep Version(int version)
    {
        if (_definition is not null)
        {
            throw new InvalidOperationException("an inline definition has its own version");
        }

        _version = version;
        return this;
    }

    /// <summary><c>input</c>: a template for the child's input; without it the child gets the previous step's output.</summary>
    public WorkflowStep Input(object? template)
    {
        _input = Json.From(template);
        return this;
    }

    /// <summary><c>retry</c>: a failed child is retried as a fresh child run (default: no retry).</summary>
    public WorkflowStep Retry(RetryPolicy retry)
    {
        _retry = retry;
        return this;
    }

    private protected override void WriteFields(JsonObject json)
    {
        Json.Add(json, "workflowId", WorkflowId);
        Json.Add(json, "version", _version);
        Json.Add(json, "definition", _definition?.ToJsonObject());
        Json.Add(json, "input", _input?.DeepClone());
        Json.Add(json, "retry", _retry?.ToJsonObject());
    }
}
