namespace SagaWorkflows.Bridge.Storage;

/// <summary>
/// One lifecycle event as received. <see cref="Position"/> stays null while the event waits for an
/// earlier sequence of its run; it is assigned, bridge-wide and increasing, when the event is released.
/// </summary>
public sealed class StoredEvent
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public long Sequence { get; set; }
    public string Type { get; set; } = "";

    /// <summary>The whole event, serialized with <see cref="BridgeJson.Options"/>: what SSE clients receive.</summary>
    public string Json { get; set; } = "";

    /// <summary>The event's own timestamp, kept beside the JSON so releasing a held event need not parse it.</summary>
    public DateTimeOffset Timestamp { get; set; }

    public long? Position { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
