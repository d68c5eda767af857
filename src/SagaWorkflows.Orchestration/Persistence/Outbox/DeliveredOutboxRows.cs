using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// Outbox rows of one store already delivered but not yet deleted. Deleting them in a transaction of their own
/// would cost a second commit (and fsync) per saga transition; instead the next transition on the store, or the
/// relay's next pass, deletes them with its own work. If the process dies first, the relay delivers those rows
/// again: a duplicate with the same MessageId, which at-least-once consumers already expect.
/// </summary>
internal sealed class DeliveredOutboxRows
{
    private const int MaxPerDelete = 500;
    private readonly ConcurrentDictionary<Guid, byte> _pending = new();

    public void Add(IEnumerable<Guid> ids)
    {
        foreach (var id in ids)
        {
            _pending.TryAdd(id, 0);
        }
    }

    public bool Contains(Guid id) => _pending.ContainsKey(id);

    public bool Any() => !_pending.IsEmpty;

    /// <summary>Deletes up to a batch of delivered rows inside the caller's transaction; call
    /// <see cref="Forget"/> with the result once that transaction committed.</summary>
    public async Task<List<Guid>> DeleteWithinAsync(DbContext dbContext)
    {
        if (_pending.IsEmpty)
        {
            return [];
        }

        var ids = _pending.Keys.Take(MaxPerDelete).ToList();
        await dbContext.Set<OutboxMessage>().Where(x => ids.Contains(x.Id)).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        return ids;
    }

    /// <summary>
    /// <see cref="DeleteWithinAsync"/> as one statement of a group commit's batch (no round trip of its own); call
    /// <see cref="Forget"/> with the result once the batch's transaction committed.
    /// </summary>
    public List<Guid> AddDeleteTo(SagaStoreBatch batch, SagaStore store, DbContext dbContext)
    {
        if (_pending.IsEmpty)
        {
            return [];
        }

        var ids = _pending.Keys.Take(MaxPerDelete).ToList();
        store.Statements(dbContext, typeof(OutboxMessage)).AddDeleteAll(batch, store.Dialect, ids.ToArray());
        return ids;
    }

    public void Forget(List<Guid> ids)
    {
        foreach (var id in ids)
        {
            _pending.TryRemove(id, out _);
        }
    }
}
