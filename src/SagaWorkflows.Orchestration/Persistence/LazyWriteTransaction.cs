using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// The write transaction of one consume, begun at its first write rather than up front. Loading
/// the saga and running the state machine happen outside the store's write lock, so on SQLite
/// (one writer at a time) only the save and commit are serialised and the CPU work of
/// concurrent consumes overlaps. A write that raced another shows up as a Version conflict, which
/// the endpoint's retry replays from a fresh load.
/// </summary>
internal sealed class LazyWriteTransaction(DbContext dbContext, CancellationToken cancellationToken) : IAsyncDisposable
{
    private IDisposable? _gate;
    private IDbContextTransaction? _transaction;

    public bool Started => _transaction is not null;

    public async Task EnsureStartedAsync()
    {
        if (_transaction is not null)
        {
            return;
        }

        _gate = await SqliteWriteGate.EnterAsync(dbContext, cancellationToken).ConfigureAwait(false);
        try
        {
            // SQLite takes the write lock at BEGIN (IMMEDIATE); other providers use read committed and the Version check.
            _transaction = await dbContext.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _gate?.Dispose();
            _gate = null;
            throw;
        }
    }

    /// <summary>Commits, taking the delete of already delivered outbox rows along.</summary>
    public async Task CommitAsync()
    {
        if (_transaction is null)
        {
            return;
        }

        var deleted = await DeliveredOutboxRows.DeleteWithinAsync(dbContext).ConfigureAwait(false);

        // Not cancellable: once the transition succeeded, abandoning the commit would only force a redelivery.
        await _transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        DeliveredOutboxRows.Forget(dbContext, deleted);
    }

    public async Task RollbackAsync()
    {
        if (_transaction is null)
        {
            return;
        }

        try
        {
            await _transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The original exception matters; a failed rollback is discarded with the connection anyway.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
        }

        _gate?.Dispose();
    }
}
