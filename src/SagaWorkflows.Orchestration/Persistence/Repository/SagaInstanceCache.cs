using MassTransit;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// The saga instances this process committed last, so the next message of a run does not read back the row it
/// has just written. An entry is taken out when a message uses it and put back only after that message's
/// transition committed; a stale entry (another process wrote the row since) is harmless: the versioned write
/// conflicts, the message is retried, and the retry finds no entry and reads the store. Bounded: beyond
/// <see cref="Capacity"/> the least recently committed instances are dropped.
/// Harmless once, costly when it is the rule: with several orchestrators on one store, a run's next message goes to
/// this process only one time in N, and every other cached copy would be stale — a conflict and a retry per
/// transition. So a conflict makes the cache stand aside (<see cref="StandAside"/>): for a while every message reads
/// the store. A single writer never conflicts and keeps its cache; several keep the conflicts to a few per period.
/// </summary>
public sealed class SagaInstanceCache<TSaga>(int capacity, TimeProvider? time = null)
    where TSaga : class, ISaga
{
    /// <summary>How long the cache stands aside after a conflict.</summary>
    public static readonly TimeSpan StandAsidePeriod = TimeSpan.FromMinutes(5);

    private readonly Dictionary<Guid, LinkedListNode<TSaga>> _entries = [];
    private readonly LinkedList<TSaga> _order = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _trustedFrom;

    /// <summary>Whether cached copies are used now (no conflict within the last <see cref="StandAsidePeriod"/>).</summary>
    public bool Trusted => _time.GetTimestamp() >= Interlocked.Read(ref _trustedFrom);

    /// <summary>
    /// Another writer changed a run behind this process's back: stop using cached copies, and drop them, for
    /// <see cref="StandAsidePeriod"/>.
    /// </summary>
    public void StandAside()
    {
        Interlocked.Exchange(ref _trustedFrom, _time.GetTimestamp() + (long)(StandAsidePeriod.TotalSeconds * _time.TimestampFrequency));
        lock (_lock)
        {
            _entries.Clear();
            _order.Clear();
        }
    }

    public int Capacity { get; } = capacity;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool Contains(Guid correlationId)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(correlationId);
        }
    }

    /// <summary>Takes the instance out: until it is put back, other messages of the saga read the store.</summary>
    public bool TryTake(Guid correlationId, out TSaga instance)
    {
        lock (_lock)
        {
            if (_entries.Remove(correlationId, out var node))
            {
                _order.Remove(node);
                instance = node.Value;
                return true;
            }
        }

        instance = null!;
        return false;
    }

    /// <summary>Puts a committed instance (its fields equal to its stored row).</summary>
    public void Put(TSaga instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (Capacity <= 0 || !Trusted)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.Remove(instance.CorrelationId, out var existing))
            {
                _order.Remove(existing);
            }

            _entries[instance.CorrelationId] = _order.AddLast(instance);
            while (_entries.Count > Capacity && _order.First is { } oldest)
            {
                _order.RemoveFirst();
                _entries.Remove(oldest.Value.CorrelationId);
            }
        }
    }

    public void Remove(Guid correlationId)
    {
        TryTake(correlationId, out _);
    }
}
