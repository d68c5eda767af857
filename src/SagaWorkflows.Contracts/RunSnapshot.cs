using System.Text.Json;

namespace SagaWorkflows.Contracts;

/// <summary>
/// A run as its lifecycle events tell it: status, timings, input and result, and its step tree (<see cref="RunProjection"/>).
/// What the bridge's <c>GET /runs/{runId}</c> returns and the run page and the CLI show.
/// </summary>
public sealed record RunSnapshot
{
    public Guid RunId { get; init; }
    public string WorkflowId { get; init; } = "";
    public RunStatus Status { get; init; } = RunStatus.Pending;

    /// <summary>Null, or how far undoing the run's completed steps has got.</summary>
    public CompensationStatus? Compensation { get; init; }

    /// <summary>The terminal event's type (<see cref="LifecycleEventTypes.IsTerminal"/>) once the run has ended, else null.</summary>
    public string? Outcome { get; init; }

    /// <summary>When the bridge first heard of the run (set by the bridge).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>ISO 8601, like the durations of a definition.</summary>
    public string? Duration { get; init; }
    public double? DurationMs { get; init; }

    /// <summary>The last sequence folded in; later events wait in <see cref="HeldEvents"/> for a gap to fill.</summary>
    public long LastSequence { get; init; }
    public int HeldEvents { get; init; }

    /// <summary>The workflow's input (<c>workflow-start</c>).</summary>
    public JsonElement? Input { get; init; }

    public JsonElement? Error { get; init; }
    public JsonElement? Output { get; init; }
    public IReadOnlyList<StepSnapshot> Steps { get; init; } = [];

    /// <summary>For a child run (started by a <c>workflow</c> step): the parent run, from <c>workflow-start</c>.</summary>
    public Guid? ParentRunId { get; init; }

    /// <summary>For a child run: the path of the parent's <c>workflow</c> step.</summary>
    public string? ParentPath { get; init; }

    /// <summary>Signals the orchestrator refused (set by the bridge, which receives them).</summary>
    public IReadOnlyList<RejectedSignalSnapshot> RejectedSignals { get; init; } = [];
}
