using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Streaming;

/// <summary>The SSE items the bridge writes.</summary>
public static class SseItems
{
    /// <summary>The event name sent after a run's terminal event, just before the stream closes.</summary>
    public const string End = "end";

    /// <summary><c>id</c> = the run's sequence, <c>event</c> = the lifecycle type, <c>data</c> = the whole event.</summary>
    public static SseItem<string> ForRun(RelayedEvent relayed)
    {
        ArgumentNullException.ThrowIfNull(relayed);
        return new SseItem<string>(relayed.Json, relayed.Type)
        {
            EventId = relayed.Sequence.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>As <see cref="ForRun"/>, but <c>id</c> = the bridge-wide position.</summary>
    public static SseItem<string> ForAllRuns(RelayedEvent relayed)
    {
        ArgumentNullException.ThrowIfNull(relayed);
        return new SseItem<string>(relayed.Json, relayed.Type)
        {
            EventId = relayed.Position.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// <c>event: step-progress</c> with no <c>id</c>: a client's Last-Event-ID stays the last lifecycle event's Sequence, so a
    /// reconnect resumes the gapless history exactly and skips the progress it missed (step-complete has the whole text).
    /// </summary>
    public static SseItem<string> ForProgress(RelayedEvent relayed)
    {
        ArgumentNullException.ThrowIfNull(relayed);
        return new SseItem<string>(relayed.Json, relayed.Type);
    }

    /// <summary>
    /// No <c>id</c>, so a client's Last-Event-ID stays the terminal sequence; <c>data</c> is not empty,
    /// because browsers do not dispatch an event without data.
    /// </summary>
    public static SseItem<string> EndOfRun(Guid runId, long terminalSequence, string terminalType) =>
        new(JsonSerializer.Serialize(new EndMarker(runId, terminalSequence, terminalType), BridgeJson.Options), End);

    /// <summary>
    /// The end of a stream whose run was deleted by retention while it was being replayed: <c>event: end</c> with
    /// <c>"purged": true</c> and the last sequence sent.
    /// </summary>
    public static SseItem<string> EndOfPurgedRun(Guid runId, long lastSequence) =>
        new(JsonSerializer.Serialize(new PurgedMarker(runId, lastSequence, Purged: true), BridgeJson.Options), End);

    public static bool IsTerminal(RelayedEvent relayed) =>
        relayed is not null && LifecycleEventTypes.IsTerminal(relayed.Type);

    private sealed record EndMarker(Guid RunId, long Sequence, string Type);

    private sealed record PurgedMarker(Guid RunId, long Sequence, bool Purged);
}
