using System.Text.Json;

namespace SagaWorkflows.Bridge.Runs;

/// <summary>What <c>GET /runs/{runId}</c> returns: the run and its steps, folded from its released events.</summary>
public sealed record RunSnapshot
{
    public Guid RunId { get; init; }
    public string WorkflowId { get; init; } = "";
    public string Status { get; init; } = RunStatus.Pending;

    /// <summary>Null, or one of <see cref="CompensationStatus"/> once the run undoes its completed steps.</summary>
    public string? Compensation { get; init; }

    /// <summary>When the bridge first heard of the run.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>ISO 8601, like the durations of a definition.</summary>
    public string? Duration { get; init; }
    public double? DurationMs { get; init; }

    /// <summary>The last sequence streamed; later events wait in <see cref="HeldEvents"/> for a gap to fill.</summary>
    public long LastSequence { get; init; }
    public int HeldEvents { get; init; }

    public JsonElement? Error { get; init; }
    public JsonElement? Output { get; init; }
    public IReadOnlyList<StepSnapshot> Steps { get; init; } = [];
    public IReadOnlyList<RejectedSignalSnapshot> RejectedSignals { get; init; } = [];
}
