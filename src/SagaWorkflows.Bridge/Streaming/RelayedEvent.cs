namespace SagaWorkflows.Bridge.Streaming;

/// <summary>A released event as streams see it: its run position, its bridge-wide position and its JSON.</summary>
public sealed record RelayedEvent(long Position, Guid RunId, long Sequence, string Type, string Json)
{
    /// <summary>
    /// A streamed step's <c>step-progress</c>: live only, outside the run's Sequence (its <see cref="Sequence"/> and
    /// <see cref="Position"/> are 0), sent without an SSE id so a client's Last-Event-ID stays the last lifecycle event.
    /// </summary>
    public bool IsProgress { get; init; }
}
