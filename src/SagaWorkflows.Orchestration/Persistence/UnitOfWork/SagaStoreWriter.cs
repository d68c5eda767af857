using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// Group commit for a saga store. Every consume hands its transition (saga row write plus outbox rows) to this
/// writer and waits; the writer puts whatever is waiting (up to <see cref="MaxBatch"/>) into one transaction with
/// one commit, and only then answers each consume. Durability is that of a commit per transition — nothing is
/// acknowledged before its commit — at the cost of one fsync per batch instead of one per message.
/// Each transition keeps its own outcome: a version conflict skips that transition's rows (and only them) and
/// fails that consume, which the endpoint's retry replays. A batch that fails as a whole is replayed one
/// transition per transaction, so one bad write cannot fail the others.
/// </summary>
public sealed partial class SagaStoreWriter<TContext> : IAsyncDisposable
    where TContext : DbContext
{
    /// <summary>Most transitions committed together.</summary>
    public const int MaxBatch = 64;

    private readonly IDbContextFactory<TContext> _factory;
    private readonly ILogger _logger;
    private readonly Channel<SagaStoreWrite> _queue = Channel.CreateUnbounded<SagaStoreWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task> _loop;
    private TContext? _dbContext;
    private long _committed;
    private long _commits;

    public SagaStoreWriter(IDbContextFactory<TContext> factory, SagaStore<TContext> store, ILogger<SagaStoreWriter<TContext>>? logger = null)
    {
        _factory = factory;
        Store = store;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _loop = new Lazy<Task>(() => Task.Run(RunAsync), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The store it writes to.</summary>
    public SagaStore<TContext> Store { get; }

    /// <summary>Transitions committed so far (for the benchmark and tests).</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>The transactions that committed them.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    internal Task<SagaWriteOutcome> WriteAsync(SagaStoreWrite write)
    {
        _ = _loop.Value;
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(GetType().Name, "The saga store writer has stopped.");
        }

        return write.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop.IsValueCreated)
        {
            await _loop.Value.ConfigureAwait(false);
        }

        if (_dbContext is not null)
        {
            await _dbContext.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        List<SagaStoreWrite> batch = new(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            await CommitAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task CommitAsync(List<SagaStoreWrite> batch)
    {
        try
        {
            var outcomes = await ExecuteAsync(batch).ConfigureAwait(false);
            Interlocked.Add(ref _committed, batch.Count);
            Interlocked.Increment(ref _commits);
            Hosting.Telemetry.SagaWorkflowsDiagnostics.CommitBatchSize.Record(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(outcomes[i]);
            }
        }
        catch (StoreUnavailableException unavailable)
        {
            // Nothing in the batch could be the cause (the store could not even begin a transaction, e.g. another
            // process held its lock past the busy timeout): fail them all at once and let their retries come back.
            foreach (var write in batch)
            {
                write.Completion.TrySetException(unavailable.InnerException!);
            }
        }
        catch (Exception exception) when (batch.Count > 1)
        {
            LogGroupCommitFailed(_logger, exception, batch.Count);
            foreach (var write in batch)
            {
                await CommitAsync([write]).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            batch[0].Completion.TrySetException(exception);
        }
    }

    private async Task<SagaWriteOutcome[]> ExecuteAsync(List<SagaStoreWrite> batch)
    {
        var dbContext = _dbContext ??= await _factory.CreateDbContextAsync().ConfigureAwait(false);
        try
        {
            using var turn = await Store.EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);

            // SQLite takes the write lock at BEGIN (IMMEDIATE); elsewhere the versioned UPDATEs detect lost updates.
            Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction;
            try
            {
                transaction = await dbContext.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                throw new StoreUnavailableException(exception);
            }

            await using var ownedTransaction = transaction;
            var connection = dbContext.Database.GetDbConnection();
            var dbTransaction = transaction.GetDbTransaction();

            // In saga key order, the same in every process: two orchestrators' batches touching the same runs then lock
            // their rows in the same order and wait for each other instead of deadlocking (PostgreSQL would abort one
            // after deadlock_timeout, and the whole batch would be committed again one by one).
            var outcomes = new SagaWriteOutcome[batch.Count];
            foreach (var i in Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].Rows.Count > 0 ? batch[i].Rows[0].CorrelationId : Guid.Empty))
            {
                outcomes[i] = await batch[i].ExecuteAsync(Store, dbContext, connection, dbTransaction).ConfigureAwait(false);
            }

            var deleted = await Store.Delivered.DeleteWithinAsync(dbContext).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            Store.Delivered.Forget(deleted);
            return outcomes;
        }
        catch
        {
            // Start the next batch on a fresh connection, whatever state this one was left in.
            _dbContext = null;
            await dbContext.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class StoreUnavailableException(Exception inner) : Exception(inner.Message, inner);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A group commit of {Count} saga transitions failed; committing them one by one")]
    private static partial void LogGroupCommitFailed(ILogger logger, Exception exception, int count);
}
