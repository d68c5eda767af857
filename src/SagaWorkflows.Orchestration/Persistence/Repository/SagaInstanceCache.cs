using MassTransit;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// The saga instances this process committed last, so the next message of a run does not read back the row it
/// has just written. An entry is taken out when a message uses it and put back only after that message's
/// transition committed; a stale entry (another process wrote the row since) is harmless: the versioned write
/// conflicts, the message is retried, and the retry finds no entry and reads the store. Bounded: beyond
/// <see cref="Capacity"/> the least recently committed instances are dropped.
/// </summary>
public sealed class SagaInstanceCache<TSaga>(int capacity)
    where TSaga : class, ISaga
{
    private readonly Dictionary<Guid, LinkedListNode<TSaga>> _entries = [];
    private readonly LinkedList<TSaga> _order = new();
    private readonly Lock _lock = new();

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
        if (Capacity <= 0)
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
