using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// Outbox rows already delivered but not yet deleted, per store. Deleting them in a transaction of
/// their own would cost a second commit (and fsync) per saga transition; instead the next
/// transition on the same store, or the relay's next pass, deletes them with its own work. If the
/// process dies first, the relay delivers those rows again: a duplicate with the same MessageId,
/// which at-least-once consumers already expect.
/// </summary>
internal static class DeliveredOutboxRows
{
    private const int MaxPerDelete = 500;
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, byte>> Stores = new(StringComparer.Ordinal);

    public static void Add(string storeKey, IEnumerable<Guid> ids)
    {
        var pending = Stores.GetOrAdd(storeKey, _ => new ConcurrentDictionary<Guid, byte>());
        foreach (var id in ids)
        {
            pending.TryAdd(id, 0);
        }
    }

    public static bool Contains(DbContext dbContext, Guid id) => For(dbContext).ContainsKey(id);

    public static bool Any(DbContext dbContext) => !For(dbContext).IsEmpty;

    /// <summary>Deletes up to a batch of delivered rows inside the caller's transaction; call
    /// <see cref="Forget"/> with the result once that transaction committed.</summary>
    public static async Task<List<Guid>> DeleteWithinAsync(DbContext dbContext)
    {
        var pending = For(dbContext);
        if (pending.IsEmpty)
        {
            return [];
        }

        var ids = pending.Keys.Take(MaxPerDelete).ToList();
        await dbContext.Set<OutboxMessage>().Where(x => ids.Contains(x.Id)).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        return ids;
    }

    public static void Forget(DbContext dbContext, List<Guid> ids)
    {
        var pending = For(dbContext);
        foreach (var id in ids)
        {
            pending.TryRemove(id, out _);
        }
    }

    /// <summary>Which store a DbContext writes to.</summary>
    public static string KeyOf(DbContext dbContext) => dbContext.Database.GetConnectionString() ?? "";

    private static ConcurrentDictionary<Guid, byte> For(DbContext dbContext) =>
        Stores.GetOrAdd(KeyOf(dbContext), _ => new ConcurrentDictionary<Guid, byte>());
}
