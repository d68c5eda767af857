namespace SagaWorkflows.Contracts;

/// <summary>
/// <c>step-progress</c>: text a streamed <c>ai</c> step (<c>"stream": true</c>) has received so far, published by the
/// worker while the model answers. A side channel, not a lifecycle event: it has no <c>Sequence</c>, is not stored and
/// may be missed (a client that was not listening, a bridge restart); the step's <c>step-complete</c> always carries
/// the whole output. Within one attempt, <see cref="Index"/> counts 1, 2, … and <see cref="Offset"/> says where
/// <see cref="Delta"/> goes, so the deltas of an attempt concatenated in <see cref="Index"/> order are the model's text,
/// and a reader can tell a missed or repeated delta. A new attempt starts again at index 1, offset 0.
/// </summary>
public sealed record StepProgress
{
    /// <summary>The SSE event name and the <c>type</c> the bridge gives it.</summary>
    public const string EventType = "step-progress";

    public Guid RunId { get; init; }
    public string WorkflowId { get; init; } = "";
    public Guid ExecutionId { get; init; }
    public string StepId { get; init; } = "";

    /// <summary>As the lifecycle events' <c>Path</c>: unique per execution.</summary>
    public string Path { get; init; } = "";

    public int Attempt { get; init; }

    /// <summary>1, 2, … within the attempt.</summary>
    public int Index { get; init; }

    /// <summary>Characters of the attempt's text before <see cref="Delta"/>.</summary>
    public int Offset { get; init; }

    /// <summary>The text received since the previous progress of this attempt.</summary>
    public string Delta { get; init; } = "";

    public DateTimeOffset Timestamp { get; init; }
}
