namespace SagaWorkflows.Bridge.Streaming;

/// <summary>A released event as streams see it: its run position, its bridge-wide position and its JSON.</summary>
public sealed record RelayedEvent(long Position, Guid RunId, long Sequence, string Type, string Json);
