namespace SagaWorkflows.Core.Definitions;

/// <summary>
/// How large a definition may be. Definitions come from designers and APIs, so none of these may be
/// unbounded: each is checked by <see cref="WorkflowDefinitionParser"/>, which both <c>sagawf validate</c>
/// and the orchestrator use, so a definition the validator accepts is one the runtime can run.
/// Bound from <c>SagaWorkflows:Limits</c> (e.g. <c>SagaWorkflows__Limits__MaxSteps=5000</c>).
/// </summary>
public sealed class WorkflowLimits
{
    public const string SectionName = "SagaWorkflows:Limits";

    /// <summary>The defaults; a process that binds no configuration uses these.</summary>
    public static WorkflowLimits Default { get; } = new();

    /// <summary>Characters of the definition's JSON text.</summary>
    public int MaxDefinitionLength { get; set; } = 1024 * 1024;

    /// <summary>Characters of an id or name: the workflow id, step ids, branch names, tools, models, signals.</summary>
    public int MaxIdLength { get; set; } = 128;

    /// <summary>Steps in the whole definition, nested ones included.</summary>
    public int MaxSteps { get; set; } = 1000;

    /// <summary>Containers (parallel, foreach, loop, branch) nested inside each other.</summary>
    public int MaxNestingDepth { get; set; } = 16;

    /// <summary>Child runs (<c>workflow</c> steps) nested inside each other at run time: a run this deep starts no child.</summary>
    public int MaxChildDepth { get; set; } = 8;

    /// <summary>Characters of one expression (a condition, or one <c>${ }</c> of a template).</summary>
    public int MaxExpressionLength { get; set; } = 4096;

    /// <summary>Upper bound of a loop's <c>maxIterations</c>.</summary>
    public int MaxLoopIterations { get; set; } = 10_000;

    /// <summary>Upper bound of a foreach's <c>concurrency</c>.</summary>
    public int MaxConcurrency { get; set; } = 1000;

    /// <summary>Upper bound of a retry policy's <c>maxAttempts</c>.</summary>
    public int MaxAttempts { get; set; } = 1000;

    /// <summary>Upper bound of a retry policy's <c>backoffRate</c>.</summary>
    public double MaxBackoffRate { get; set; } = 100;

    /// <summary>The longest duration (timeouts, sleeps, retry intervals): ten years, far from the clock's end.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromDays(3650);

    /// <summary>
    /// Lifecycle events one transition may produce before the run yields: a long synchronous loop or foreach
    /// goes on in a follow-up transition (a wake-up the run sends itself), so other runs interleave and no
    /// single transaction grows without bound.
    /// </summary>
    public int MaxEventsPerTransition { get; set; } = 1000;

    /// <summary>Elements a foreach's <c>items</c> may evaluate to at run time.</summary>
    public int MaxForeachItems { get; set; } = 100_000;

    /// <summary>Bytes (UTF-8) of one JSON payload at run time: a step's rendered input or its output, a signal's payload.</summary>
    public int MaxPayloadBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Describes every limit that is not positive; empty when usable.</summary>
    public IReadOnlyList<string> Check()
    {
        var problems = new List<string>();
        void Positive(string name, double value)
        {
            if (!(value > 0))
            {
                problems.Add($"{SectionName}:{name} must be positive, not {value}");
            }
        }

        Positive(nameof(MaxDefinitionLength), MaxDefinitionLength);
        Positive(nameof(MaxIdLength), MaxIdLength);
        Positive(nameof(MaxSteps), MaxSteps);
        Positive(nameof(MaxNestingDepth), MaxNestingDepth);
        Positive(nameof(MaxExpressionLength), MaxExpressionLength);
        Positive(nameof(MaxChildDepth), MaxChildDepth);
        Positive(nameof(MaxLoopIterations), MaxLoopIterations);
        Positive(nameof(MaxConcurrency), MaxConcurrency);
        Positive(nameof(MaxAttempts), MaxAttempts);
        Positive(nameof(MaxEventsPerTransition), MaxEventsPerTransition);
        Positive(nameof(MaxForeachItems), MaxForeachItems);
        Positive(nameof(MaxPayloadBytes), MaxPayloadBytes);
        if (!double.IsFinite(MaxBackoffRate) || MaxBackoffRate < 1)
        {
            problems.Add($"{SectionName}:{nameof(MaxBackoffRate)} must be a finite number >= 1, not {MaxBackoffRate}");
        }

        Positive(nameof(MaxDuration), MaxDuration.TotalSeconds);
        return problems;
    }
}
