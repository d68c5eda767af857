using System.Threading.Channels;

namespace SagaWorkflows.Bridge.Streaming;

/// <summary>
/// One stream's live feed from the <see cref="BridgeEventHub"/>. Bounded, so a stalled client cannot
/// grow memory: when it fills, the subscription is marked overflowed and the stream re-reads the store.
/// Dispose it exactly when the stream ends (disposing twice is harmless).
/// </summary>
public sealed class HubSubscription : IDisposable
{
    private readonly BridgeEventHub _hub;
    private readonly Channel<RelayedEvent> _channel;
    private int _overflowed;
    private int _disposed;

    internal HubSubscription(BridgeEventHub hub, Guid? runId, int capacity)
    {
        _hub = hub;
        RunId = runId;
        _channel = Channel.CreateBounded<RelayedEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Guid? RunId { get; }

    public ChannelReader<RelayedEvent> Reader => _channel.Reader;

    /// <summary>True once per overflow: events were dropped since the last call.</summary>
    public bool TakeOverflow() => Interlocked.Exchange(ref _overflowed, 0) == 1;

    internal void Offer(RelayedEvent relayed)
    {
        if (!_channel.Writer.TryWrite(relayed))
        {
            Volatile.Write(ref _overflowed, 1);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _hub.Remove(this);
        _channel.Writer.TryComplete();
    }
}
