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
}
