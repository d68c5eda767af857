namespace SagaWorkflows.Bridge.Streaming;

/// <summary>What a stream waiting on its subscription got next.</summary>
public enum LiveSignal
{
    Event,

    /// <summary>Nothing arrived within the heartbeat interval.</summary>
    Idle,

    /// <summary>Events were dropped for this slow client: read the store again.</summary>
    Overflow,

    /// <summary>The host is shutting down: end the stream so the client reconnects elsewhere or later.</summary>
    Stopping,
}
