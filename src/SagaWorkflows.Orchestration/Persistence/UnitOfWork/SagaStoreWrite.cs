using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

internal enum SagaWriteOutcome
{
    Written,

    /// <summary>Another writer changed (or removed) the row since it was loaded.</summary>
    Conflict,

    /// <summary>A row with the new instance's key exists already.</summary>
    Duplicate,
}

internal enum SagaRowOperation
{
    Insert,
    Update,
    Delete,

    /// <summary>A dependent row (<see cref="IDurableSagaDependents"/>): written whether or not it exists.</summary>
    WriteDependent,

    /// <summary>A dependent row: deleted if it exists.</summary>
    DeleteDependent,
}

/// <summary>
/// One saga row change, checked against the version the instance was loaded with. <paramref name="Stored"/>: the
/// row's values as loaded (<see cref="SagaRowStatements.Snapshot"/>), so an update writes only what changed.
/// </summary>
internal sealed record SagaRowWrite(SagaRowOperation Operation, object Saga, Type SagaType, Guid CorrelationId, int ExpectedVersion, object?[]? Stored = null)
{
    public async Task<SagaWriteOutcome> ExecuteAsync(SagaStore store, DbContext dbContext, DbConnection connection, DbTransaction transaction)
    {
        var statements = store.Statements(dbContext, SagaType);
        return Operation switch
        {
            SagaRowOperation.Insert => await statements.InsertAsync(connection, transaction, Saga, checkExisting: true).ConfigureAwait(false)
                ? SagaWriteOutcome.Written
                : SagaWriteOutcome.Duplicate,
            SagaRowOperation.Update => await statements.UpdateAsync(connection, transaction, Saga, ExpectedVersion, Stored).ConfigureAwait(false)
                ? SagaWriteOutcome.Written
                : SagaWriteOutcome.Conflict,
            SagaRowOperation.Delete => await statements.DeleteAsync(connection, transaction, Saga, ExpectedVersion).ConfigureAwait(false)
                ? SagaWriteOutcome.Written
                : SagaWriteOutcome.Conflict,
            SagaRowOperation.WriteDependent => await WrittenAsync(statements.UpsertAsync(connection, transaction, Saga)).ConfigureAwait(false),
            _ => await WrittenAsync(statements.DeleteAsync(connection, transaction, Saga, ExpectedVersion)).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// Adds the row change to <paramref name="batch"/>; returns the check its outcome depends on (none for dependent
    /// rows, which are written whether or not they exist).
    /// </summary>
    public SagaRowCheck? AddTo(SagaStoreBatch batch, SagaStore store, DbContext dbContext)
    {
        var statements = store.Statements(dbContext, SagaType);
        switch (Operation)
        {
            case SagaRowOperation.Insert:
                return new SagaRowCheck(statements.AddInsert(batch, Saga, checkExisting: true), SagaWriteOutcome.Duplicate);
            case SagaRowOperation.Update:
                return new SagaRowCheck(statements.AddUpdate(batch, Saga, ExpectedVersion, Stored), SagaWriteOutcome.Conflict);
            case SagaRowOperation.Delete:
                return new SagaRowCheck(statements.AddDelete(batch, Saga, ExpectedVersion), SagaWriteOutcome.Conflict);
            case SagaRowOperation.WriteDependent:
                statements.AddUpsert(batch, Saga);
                return null;
            default:
                statements.AddDelete(batch, Saga, ExpectedVersion);
                return null;
        }
    }

    private static async Task<SagaWriteOutcome> WrittenAsync(Task write)
    {
        await write.ConfigureAwait(false);
        return SagaWriteOutcome.Written;
    }
}

/// <summary>
/// What one consume's transition writes: its saga rows and the outbox rows of the messages it emitted, all or
/// nothing. Handed to <see cref="SagaStoreWriter{TContext}"/>, which commits it with others.
/// </summary>
internal sealed class SagaStoreWrite(IReadOnlyList<SagaRowWrite> rows, IReadOnlyList<StagedOutboxMessage> outbox)
{
    private const string Savepoint = "saga_write";

    public IReadOnlyList<SagaRowWrite> Rows { get; } = rows;

    public IReadOnlyList<StagedOutboxMessage> Outbox { get; } = outbox;

    public TaskCompletionSource<SagaWriteOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<SagaWriteOutcome> ExecuteAsync(SagaStore store, DbContext dbContext, DbConnection connection, DbTransaction transaction)
    {
        // With several rows, a conflict on a later one must undo the earlier ones, and only those.
        var savepoint = Rows.Count > 1;
        if (savepoint)
        {
            await transaction.SaveAsync(Savepoint).ConfigureAwait(false);
        }

        foreach (var row in Rows)
        {
            var outcome = await row.ExecuteAsync(store, dbContext, connection, transaction).ConfigureAwait(false);
            if (outcome != SagaWriteOutcome.Written)
            {
                if (savepoint)
                {
                    await transaction.RollbackAsync(Savepoint).ConfigureAwait(false);
                }

                return outcome;
            }
        }

        if (savepoint)
        {
            await transaction.ReleaseAsync(Savepoint).ConfigureAwait(false);
        }

        if (Outbox.Count > 0)
        {
            var statements = store.Statements(dbContext, typeof(OutboxMessage));
            foreach (var staged in Outbox)
            {
                await statements.InsertAsync(connection, transaction, staged.Row, checkExisting: false).ConfigureAwait(false);
            }
        }

        return SagaWriteOutcome.Written;
    }

    /// <summary>
    /// Adds every statement of the transition to <paramref name="batch"/> (saga rows, then its outbox rows) and returns
    /// the checks that decide its outcome (<see cref="Outcome"/>). Unlike <see cref="ExecuteAsync"/> nothing is looked
    /// at before the batch ran, so a transition that misses a check has written its other rows too: the writer then
    /// rolls the whole batch back and runs it again without that transition.
    /// </summary>
    public List<SagaRowCheck> AddTo(SagaStoreBatch batch, SagaStore store, DbContext dbContext)
    {
        List<SagaRowCheck> checks = new(Rows.Count);
        foreach (var row in Rows)
        {
            if (row.AddTo(batch, store, dbContext) is { } check)
            {
                checks.Add(check);
            }
        }

        if (Outbox.Count > 0)
        {
            var statements = store.Statements(dbContext, typeof(OutboxMessage));
            foreach (var staged in Outbox)
            {
                statements.AddInsert(batch, staged.Row, checkExisting: false);
            }
        }

        return checks;
    }

    /// <summary>The outcome of a transition added with <see cref="AddTo"/>, once its batch ran: the first check that touched no row decides.</summary>
    public static SagaWriteOutcome Outcome(List<SagaRowCheck> checks)
    {
        foreach (var check in checks)
        {
            if (check.Statement.RecordsAffected != 1)
            {
                return check.Missed;
            }
        }

        return SagaWriteOutcome.Written;
    }
}
