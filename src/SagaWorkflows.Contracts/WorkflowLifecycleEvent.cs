using System.Text.Json;

namespace SagaWorkflows.Contracts;

/// <summary>
/// One entry of a run's event stream, published by the orchestrator. <see cref="Sequence"/> is
/// gapless per run, starting at 1, so a consumer can order, de-duplicate and detect gaps.
/// </summary>
public sealed record WorkflowLifecycleEvent
{
    public Guid RunId { get; init; }
    public string WorkflowId { get; init; } = "";
    public long Sequence { get; init; }

    /// <summary>One of <see cref="LifecycleEventTypes"/>.</summary>
    public string Type { get; init; } = "";

    public string? StepId { get; init; }

    /// <summary>Unique per execution, e.g. <c>perItem[3].charge</c> or <c>poll#2.check</c>.</summary>
    public string? Path { get; init; }

    /// <summary>The step's node type (<c>tool</c>, <c>foreach</c>, ...) for step events.</summary>
    public string? StepType { get; init; }

    public int? Attempt { get; init; }
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Input, output or error, depending on <see cref="Type"/>.</summary>
    public JsonElement? Data { get; init; }
}

public static class LifecycleEventTypes
{
    public const string WorkflowStart = "workflow-start";
    public const string StepStart = "step-start";
    public const string StepComplete = "step-complete";
    public const string StepError = "step-error";
    public const string StepRetry = "step-retry";
    public const string StepSuspended = "step-suspended";
    public const string WorkflowSuspended = "workflow-suspended";
    public const string WorkflowResumed = "workflow-resumed";
    public const string CompensationStart = "compensation-start";
    public const string StepCompensated = "step-compensated";
    public const string CompensationComplete = "compensation-complete";
    public const string CompensationError = "compensation-error";
    public const string WorkflowComplete = "workflow-complete";
    public const string WorkflowError = "workflow-error";
    public const string WorkflowCancelled = "workflow-cancelled";

    /// <summary>A failed run goes on from where it failed (<c>RedriveWorkflow</c>): it follows the <c>workflow-error</c> it reopens.</summary>
    public const string WorkflowRedriven = "workflow-redriven";

    /// <summary>
    /// Types after which a run emits nothing more. Compensation events, when any, come before these. The one exception:
    /// a <c>workflow-error</c> without compensation may be followed by <see cref="WorkflowRedriven"/> and the events of the redriven run.
    /// </summary>
    public static bool IsTerminal(string type) => type is WorkflowComplete or WorkflowError or WorkflowCancelled;
}
