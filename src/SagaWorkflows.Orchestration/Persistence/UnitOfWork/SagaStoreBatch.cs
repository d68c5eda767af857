using System.Data.Common;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// The statements of one group commit, sent to the database together (<see cref="DbBatch"/>: on PostgreSQL one network
/// round trip for all of them instead of one per statement). Each statement whose row count decides a transition's
/// outcome (a versioned UPDATE or DELETE, an insert that may find its key taken) is recorded with the outcome it means
/// when it touched no row; <see cref="SagaStoreWriter{TContext}"/> reads those after the batch ran.
/// </summary>
internal sealed class SagaStoreBatch : IAsyncDisposable
{
    private readonly DbBatch _batch;

    // Creates parameters the way EF binds them (RelationalTypeMapping.CreateParameter needs a command); never executed.
    private readonly DbCommand _parameters;

    public SagaStoreBatch(DbConnection connection, DbTransaction transaction)
    {
        _batch = connection.CreateBatch();
        _batch.Transaction = transaction;
        _parameters = connection.CreateCommand();
    }

    public int Count => _batch.BatchCommands.Count;

    /// <summary>Creates parameters for the statements of this batch.</summary>
    public DbCommand ParameterFactory => _parameters;

    public DbBatchCommand Add(string sql)
    {
        var command = _batch.CreateBatchCommand();
        command.CommandText = sql;
        _batch.BatchCommands.Add(command);
        return command;
    }

    public async Task ExecuteAsync()
    {
        if (_batch.BatchCommands.Count > 0)
        {
            await _batch.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _batch.DisposeAsync().ConfigureAwait(false);
        await _parameters.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A statement of a batch that must touch exactly one row; <paramref name="Missed"/> is the transition's outcome when it did not.</summary>
internal readonly record struct SagaRowCheck(DbBatchCommand Statement, SagaWriteOutcome Missed);
