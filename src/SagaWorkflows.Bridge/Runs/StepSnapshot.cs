using System.Text.Json;

namespace SagaWorkflows.Bridge.Runs;

/// <summary>A step execution (kind <c>step</c>) or one iteration of a foreach/loop (kind <c>iteration</c>).</summary>
public sealed record StepSnapshot
{
    public string Path { get; init; } = "";
    public string Kind { get; init; } = StepKinds.Step;

    /// <summary>The step id, or the iteration suffix (<c>[3]</c>, <c>#2</c>).</summary>
    public string Label { get; init; } = "";

    public string? StepId { get; init; }
    public string? Type { get; init; }
    public string Status { get; init; } = StepStatus.Pending;
    public int Attempts { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? Duration { get; init; }
    public double? DurationMs { get; init; }
    public JsonElement? Error { get; init; }
    public JsonElement? Output { get; init; }
    public IReadOnlyList<RetrySnapshot> Retries { get; init; } = [];

    /// <summary>Null, or one of <see cref="CompensationStatus"/> once the run undoes this step.</summary>
    public string? Compensation { get; init; }
    public JsonElement? CompensationError { get; init; }

    public IReadOnlyList<StepSnapshot> Children { get; init; } = [];
}
