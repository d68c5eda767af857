using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// EF Core saga repository with a transactional outbox. Each <see cref="Send{T}"/> loads with a fresh DbContext
/// (no change tracking), so a message retried after a concurrency conflict starts from the committed state; what
/// the transition changed is committed by <see cref="SagaStoreWriter{TContext}"/> (group commit) before any of
/// its messages leave. Register it with <see cref="SagaRepositoryRegistrationExtensions.UseEfSagaRepository{TSaga,TContext}"/>.
/// </summary>
public sealed partial class EfSagaRepositoryContextFactory<TSaga, TContext> :
    ISagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>
    where TSaga : class, IDurableSaga
    where TContext : DbContext
{
    private readonly ISagaConsumeContextFactory<SagaStoreScope, TSaga> _consumeContextFactory;
    private readonly IDbContextFactory<TContext> _dbContextFactory;
    private readonly SagaStoreWriter<TContext> _writer;
    private readonly SagaInstanceCache<TSaga> _cache;
    private readonly SagaOutboxDelivery _delivery;
    private readonly Lazy<SagaRowStatements> _statements;
    private readonly ILogger _logger;

    public EfSagaRepositoryContextFactory(IDbContextFactory<TContext> dbContextFactory, ISagaConsumeContextFactory<SagaStoreScope, TSaga> consumeContextFactory,
        SagaStoreWriter<TContext> writer, SagaInstanceCache<TSaga> cache, SagaOutboxDelivery delivery,
        ILogger<EfSagaRepositoryContextFactory<TSaga, TContext>>? logger = null)
    {
        _delivery = delivery;
        _dbContextFactory = dbContextFactory;
        _consumeContextFactory = consumeContextFactory;
        _writer = writer;
        _cache = cache;
        _statements = new Lazy<SagaRowStatements>(() =>
        {
            using var dbContext = dbContextFactory.CreateDbContext();
            return writer.Store.Statements(dbContext, typeof(TSaga));
        });
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "entity-framework-core");
        context.Add("dbContext", typeof(TContext).Name);
        context.Add("outbox", "transactional");
        context.Add("commit", "group");
    }

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        await using var store = new LazyDbContext(_dbContextFactory, context.CancellationToken);
        var repositoryContext = new EfSagaRepositoryContext<TSaga, T>(store.GetAsync, _cache, _statements.Value, _writer.Store.Queries<TSaga>(), context, _consumeContextFactory);
        await next.Send(repositoryContext).ConfigureAwait(false);

        await CommitAndDeliverAsync(context, repositoryContext).ConfigureAwait(false);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(query);

        await using var store = new LazyDbContext(_dbContextFactory, context.CancellationToken);
        var repositoryContext = new EfSagaRepositoryContext<TSaga, T>(store.GetAsync, _cache, _statements.Value, _writer.Store.Queries<TSaga>(), context, _consumeContextFactory);
        var dbContext = await store.GetAsync().ConfigureAwait(false);
        List<TSaga> instances = await dbContext.Set<TSaga>().AsNoTracking()
            .Where(query.FilterExpression)
            .ToListAsync(context.CancellationToken).ConfigureAwait(false);

        // Whatever this process holds for them is older than what was just read.
        foreach (var instance in instances)
        {
            _cache.Remove(instance.CorrelationId);
            if (instance is IDurableSagaDependents dependents)
            {
                await dependents.LoadDependentsAsync(dbContext, context.CancellationToken).ConfigureAwait(false);
            }
        }

        repositoryContext.Track(instances);

        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances)).ConfigureAwait(false);

        await CommitAndDeliverAsync(context, repositoryContext).ConfigureAwait(false);
    }

    private async Task CommitAndDeliverAsync<T>(ConsumeContext context, EfSagaRepositoryContext<TSaga, T> repositoryContext)
        where T : class
    {
        var write = repositoryContext.TakeWrite();
        if (write is null)
        {
            repositoryContext.CacheCommitted();
            return;
        }

        // Not cancellable: once the transition succeeded, abandoning the commit would only force a redelivery.
        var outcome = await _writer.WriteAsync(write).ConfigureAwait(false);
        if (outcome != SagaWriteOutcome.Written)
        {
            var row = write.Rows.Count > 0 ? write.Rows[0] : null;
            var exception = new DbUpdateConcurrencyException(outcome == SagaWriteOutcome.Duplicate
                ? $"{typeof(TSaga).Name} {row?.CorrelationId} was inserted by another writer first"
                : $"{typeof(TSaga).Name} {row?.CorrelationId} was changed by another writer since it was loaded (version {row?.ExpectedVersion})");
            _cache.StandAside();
            Hosting.Telemetry.SagaWorkflowsDiagnostics.StoreConflicts.Add(1,
                new KeyValuePair<string, object?>(Hosting.Telemetry.SagaWorkflowsDiagnostics.Tags.Store, _writer.Store.Dialect.Name));
            LogWriteConflicted(_logger, exception, typeof(TSaga).Name, context.MessageId);
            throw exception;
        }

        repositoryContext.CacheCommitted();

        // Committed: the consume ends here; the saga's delivery lane sends the messages, in commit order.
        _delivery.Enqueue(context, write.Outbox, _writer.Store);
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        return ExecuteReadAsync(asyncMethod, cancellationToken);
    }

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        return ExecuteReadAsync(asyncMethod, cancellationToken);
    }

    private async Task<T> ExecuteReadAsync<T>(Func<EfSagaReadContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken)
    {
        await using var dbContext = await _dbContextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);

        return await asyncMethod(new EfSagaReadContext<TSaga>(dbContext, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The consume's DbContext, created only if something has to be read from the store.</summary>
    private sealed class LazyDbContext(IDbContextFactory<TContext> factory, CancellationToken cancellationToken) : IAsyncDisposable
    {
        private TContext? _dbContext;

        public async Task<DbContext> GetAsync()
        {
            return _dbContext ??= await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync()
        {
            return _dbContext?.DisposeAsync() ?? ValueTask.CompletedTask;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Saga {SagaType} write conflicted (message {MessageId}); the message is retried")]
    private static partial void LogWriteConflicted(ILogger logger, Exception exception, string sagaType, Guid? messageId);
}
