using System.Text.Json;

namespace SagaWorkflows.Contracts;

/// <summary>
/// A step execution (kind <c>step</c>) or one iteration of a foreach/loop (kind <c>iteration</c>), as its events
/// tell it. Enough to draw the run as a graph: a node is found by <see cref="Path"/>, a definition's step by
/// <see cref="StepId"/>; the steps below a <c>branch</c> are the case it took.
/// </summary>
public sealed record StepSnapshot
{
    /// <summary>Unique per execution: <c>reserve</c>, <c>ship.makeLabel</c>, <c>perItem[3]</c>, <c>perItem[3].charge</c>, <c>poll#2</c>.</summary>
    public string Path { get; init; } = "";

    /// <summary>One of <see cref="StepKinds"/>.</summary>
    public string Kind { get; init; } = StepKinds.Step;

    /// <summary>The step id, or the iteration suffix (<c>[3]</c>, <c>#2</c>).</summary>
    public string Label { get; init; } = "";

    public string? StepId { get; init; }

    /// <summary>The node type (<c>tool</c>, <c>foreach</c>, ...) once an event of the step said it.</summary>
    public string? Type { get; init; }

    /// <summary>For an iteration: its index (foreach, from 0) or number (loop, from 1).</summary>
    public int? Iteration { get; init; }

    /// <summary>An iteration's status is derived from its steps'.</summary>
    public StepStatus Status { get; init; } = StepStatus.Pending;

    /// <summary>The highest attempt the step's events named (tool and ai steps); 0 before any.</summary>
    public int Attempts { get; init; }

    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>ISO 8601, like the durations of a definition.</summary>
    public string? Duration { get; init; }
    public double? DurationMs { get; init; }

    /// <summary>The step's rendered input (<c>step-start</c>).</summary>
    public JsonElement? Input { get; init; }
    public JsonElement? Output { get; init; }

    /// <summary>The last attempt's error while retrying, or the error it failed with; cleared when it completes.</summary>
    public JsonElement? Error { get; init; }

    /// <summary>The signal a <c>wait</c> step waits (or waited) for.</summary>
    public string? Signal { get; init; }

    /// <summary>A <c>workflow</c> step: the child run of its latest attempt (its <c>step-start</c> or <c>step-retry</c> names it).</summary>
    public Guid? ChildRunId { get; init; }

    public IReadOnlyList<RetrySnapshot> Retries { get; init; } = [];

    /// <summary>Null, or how far undoing this step has got.</summary>
    public CompensationStatus? Compensation { get; init; }
    public JsonElement? CompensationError { get; init; }

    public IReadOnlyList<StepSnapshot> Children { get; init; } = [];
}
