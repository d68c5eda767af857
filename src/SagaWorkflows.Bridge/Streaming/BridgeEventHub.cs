namespace SagaWorkflows.Bridge.Streaming;

/// <summary>
/// Fans released events out to the open streams in process, so a live client gets each event without
/// a database query. It only ever notifies: streams read history, and catch up after an overflow,
/// from the store, which stays the source of truth.
/// </summary>
public sealed class BridgeEventHub(int maxSubscribers, int bufferSize)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, List<HubSubscription>> _byRun = [];
    private readonly List<HubSubscription> _allRuns = [];
    private readonly KeyedWaiters<Guid, RelayedEvent> _waiters = new();
    private int _count;

    /// <summary>Open subscriptions: every open SSE stream holds exactly one.</summary>
    public int SubscriberCount => Volatile.Read(ref _count);

    /// <summary>Subscribes to one run's events, or to every run's when <paramref name="runId"/> is null.</summary>
    /// <returns>Null when the limit of concurrent streams is reached.</returns>
    public HubSubscription? TrySubscribe(Guid? runId)
    {
        lock (_gate)
        {
            if (_count >= maxSubscribers)
            {
                return null;
            }

            var subscription = new HubSubscription(this, runId, bufferSize);
            if (runId is { } id)
            {
                if (!_byRun.TryGetValue(id, out var list))
                {
                    _byRun[id] = list = [];
                }

                list.Add(subscription);
            }
            else
            {
                _allRuns.Add(subscription);
            }

            _count++;
            return subscription;
        }
    }

    /// <summary>
    /// Calls <paramref name="then"/> with the first event of <paramref name="runId"/> released from now on that
    /// <paramref name="match"/> accepts (not progress), unless disposed first. Not a stream: nothing buffered, not
    /// counted against the limit of streams. <paramref name="then"/> runs under the store's write lock: it must not block.
    /// </summary>
    internal IDisposable WhenReleased(Guid runId, Func<RelayedEvent, bool> match, Action<RelayedEvent> then) =>
        _waiters.Add(runId, match, then);

    /// <summary>Never blocks: the store calls it while holding its write lock, to keep notifications in order.</summary>
    internal void Publish(IReadOnlyList<RelayedEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var relayed in events)
            {
                if (_byRun.TryGetValue(relayed.RunId, out var runSubscribers))
                {
                    foreach (var subscription in runSubscribers)
                    {
                        subscription.Offer(relayed);
                    }
                }

                foreach (var subscription in _allRuns)
                {
                    subscription.Offer(relayed);
                }
            }
        }

        foreach (var relayed in events)
        {
            _waiters.Notify(relayed.RunId, relayed);
        }
    }

    /// <summary>
    /// A streamed step's progress, to the streams of its run only. Never blocks; a stream whose buffer is full misses it
    /// (and re-reads its lifecycle events from the store, as after any overflow): progress is not kept anywhere.
    /// </summary>
    internal void PublishProgress(RelayedEvent progress)
    {
        lock (_gate)
        {
            if (_byRun.TryGetValue(progress.RunId, out var runSubscribers))
            {
                foreach (var subscription in runSubscribers)
                {
                    subscription.Offer(progress);
                }
            }
        }
    }

    internal void Remove(HubSubscription subscription)
    {
        lock (_gate)
        {
            bool removed;
            if (subscription.RunId is { } id)
            {
                removed = _byRun.TryGetValue(id, out var list) && list.Remove(subscription);
                if (removed && list!.Count == 0)
                {
                    _byRun.Remove(id);
                }
            }
            else
            {
                removed = _allRuns.Remove(subscription);
            }

            if (removed)
            {
                _count--;
            }
        }
    }
}
