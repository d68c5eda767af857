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
            return Store.Dialect.BatchesStatements
                ? await ExecuteBatchedAsync(dbContext, batch).ConfigureAwait(false)
                : await ExecuteOneByOneAsync(dbContext, batch).ConfigureAwait(false);
        }
        catch
        {
            // Start the next batch on a fresh connection, whatever state this one was left in.
            _dbContext = null;
            await dbContext.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Each statement on its own, looking at each row count as it goes: where a statement is a call into the same
    /// process (SQLite), a savepoint per transition is cheaper than anything else.
    /// </summary>
    private async Task<SagaWriteOutcome[]> ExecuteOneByOneAsync(TContext dbContext, List<SagaStoreWrite> batch)
    {
        using var turn = await Store.EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);

        // SQLite takes the write lock at BEGIN (IMMEDIATE); elsewhere the versioned UPDATEs detect lost updates.
        await using var transaction = await BeginAsync(dbContext).ConfigureAwait(false);
        var connection = dbContext.Database.GetDbConnection();
        var dbTransaction = transaction.GetDbTransaction();

        var outcomes = new SagaWriteOutcome[batch.Count];
        foreach (var i in InKeyOrder(batch))
        {
            outcomes[i] = await batch[i].ExecuteAsync(Store, dbContext, connection, dbTransaction).ConfigureAwait(false);
        }

        var deleted = await Store.Delivered.DeleteWithinAsync(dbContext).ConfigureAwait(false);
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        Store.Delivered.Forget(deleted);
        return outcomes;
    }

    /// <summary>
    /// Every statement of the group — each transition's saga rows and outbox rows, and the DELETE of the outbox rows
    /// delivered since the last commit — in one batch (one round trip), then the commit (another). Row counts are read
    /// only after the batch ran: if a transition missed a check (a version conflict, a duplicate insert), the whole
    /// transaction is rolled back and the batch runs again without it, so a transition's rows still commit all or
    /// nothing. Misses are rare (a second orchestrator writing the same run), and each rerun has one transition fewer.
    /// </summary>
    private async Task<SagaWriteOutcome[]> ExecuteBatchedAsync(TContext dbContext, List<SagaStoreWrite> batch)
    {
        // The connection stays open from one group commit to the next: no trip through the pool (and its reset) per commit.
        if (dbContext.Database.GetDbConnection().State != System.Data.ConnectionState.Open)
        {
            try
            {
                await dbContext.Database.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                throw new StoreUnavailableException(exception);
            }
        }

        var order = InKeyOrder(batch).ToList();
        var outcomes = new SagaWriteOutcome?[batch.Count];
        while (true)
        {
            await using var transaction = await BeginAsync(dbContext).ConfigureAwait(false);
            await using var statements = new SagaStoreBatch(dbContext.Database.GetDbConnection(), transaction.GetDbTransaction());
            List<(int Index, List<SagaRowCheck> Checks)> added = new(batch.Count);
            foreach (var i in order)
            {
                if (outcomes[i] is null)
                {
                    added.Add((i, batch[i].AddTo(statements, Store, dbContext)));
                }
            }

            var deleted = Store.Delivered.AddDeleteTo(statements, Store, dbContext);
            await statements.ExecuteAsync().ConfigureAwait(false);

            var missed = false;
            foreach (var (i, checks) in added)
            {
                var outcome = SagaStoreWrite.Outcome(checks);
                if (outcome != SagaWriteOutcome.Written)
                {
                    outcomes[i] = outcome;
                    missed = true;
                }
            }

            if (missed)
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            Store.Delivered.Forget(deleted);
            foreach (var (i, _) in added)
            {
                outcomes[i] = SagaWriteOutcome.Written;
            }

            return Array.ConvertAll(outcomes, o => o!.Value);
        }
    }

    private static async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> BeginAsync(TContext dbContext)
    {
        try
        {
            return await dbContext.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            throw new StoreUnavailableException(exception);
        }
    }

    /// <summary>
    /// In saga key order, the same in every process: two orchestrators' batches touching the same runs then lock
    /// their rows in the same order and wait for each other instead of deadlocking (PostgreSQL would abort one after
    /// deadlock_timeout, and the whole batch would be committed again one by one).
    /// </summary>
    private static IEnumerable<int> InKeyOrder(List<SagaStoreWrite> batch) =>
        Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].Rows.Count > 0 ? batch[i].Rows[0].CorrelationId : Guid.Empty);

    private sealed class StoreUnavailableException(Exception inner) : Exception(inner.Message, inner);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A group commit of {Count} saga transitions failed; committing them one by one")]
    private static partial void LogGroupCommitFailed(ILogger logger, Exception exception, int count);
}
