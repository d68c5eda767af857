using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// One consume's view of the saga store. Every write happens inside the transaction opened by
/// <see cref="EfSagaRepositoryContextFactory{TSaga,TContext}"/>; the saga row and its outbox rows are saved by the
/// same SaveChanges, so either both or neither become visible.
/// </summary>
public sealed class EfSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>,
    IDisposable
    where TSaga : class, IDurableSaga
    where TMessage : class
{
    readonly ConsumeContext<TMessage> _consumeContext;
    readonly DbContext _dbContext;
    readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;
    readonly LazyWriteTransaction? _transaction;
    // DbContext is not thread-safe; the saga pipes call sequentially today, this keeps it so.
    readonly SemaphoreSlim _inUse = new(1, 1);
    readonly List<StagedOutboxMessage> _staged = [];
    DateTime? _stagedAt;

    /// <param name="transaction">Begun at the first write; null when the caller opened a transaction already.</param>
    internal EfSagaRepositoryContext(DbContext dbContext, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<DbContext, TSaga> factory,
        LazyWriteTransaction? transaction = null)
        : base(consumeContext, dbContext)
    {
        _dbContext = dbContext;
        _consumeContext = consumeContext;
        _factory = factory;
        _transaction = transaction;
    }

    internal IReadOnlyList<StagedOutboxMessage> StagedMessages => _staged;

    public void Dispose()
    {
        _inUse.Dispose();
    }

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance)
    {
        return _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Add);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        await _inUse.WaitAsync(CancellationToken).ConfigureAwait(false);
        if (_transaction is not null)
            await _transaction.EnsureStartedAsync().ConfigureAwait(false);

        var stagedBefore = _staged.Count;
        instance.Version = 1;
        var entry = _dbContext.Set<TSaga>().Add(instance);
        try
        {
            StageOutbox(instance);

            // Inside the open transaction EF wraps this in a savepoint, so a duplicate key leaves the transaction usable.
            await _dbContext.SaveChangesAsync(CancellationToken).ConfigureAwait(false);
            instance.PendingMessages.Clear();
        }
        catch (DbUpdateException)
        {
            // A duplicate: the caller loads the existing instance with this same DbContext, so forget what we tried.
            entry.State = EntityState.Detached;
            foreach (var staged in _staged.Skip(stagedBefore))
                _dbContext.Entry(staged.Row).State = EntityState.Detached;
            _staged.RemoveRange(stagedBefore, _staged.Count - stagedBefore);

            return null!;
        }
        finally
        {
            _inUse.Release();
        }

        return await _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Insert).ConfigureAwait(false);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        TSaga? instance;
        await _inUse.WaitAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            instance = await _dbContext.Set<TSaga>().AsTracking()
                .SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _inUse.Release();
        }

        if (instance is null)
            return null!;

        return await _factory.CreateSagaConsumeContext(_dbContext, _consumeContext, instance, SagaConsumeContextMode.Load).ConfigureAwait(false);
    }

    public Task Save(SagaConsumeContext<TSaga> context)
    {
        return Write(context, saga =>
        {
            saga.Version = 1;
            _dbContext.Set<TSaga>().Add(saga);
        });
    }

    public Task Update(SagaConsumeContext<TSaga> context)
    {
        // EF compares against the loaded value and writes the new one: a concurrent writer makes this a
        // DbUpdateConcurrencyException, which the endpoint's retry turns into a fresh attempt.
        return Write(context, saga => saga.Version++);
    }

    public Task Delete(SagaConsumeContext<TSaga> context)
    {
        return Write(context, saga => _dbContext.Set<TSaga>().Remove(saga));
    }

    public Task Discard(SagaConsumeContext<TSaga> context)
    {
        // A new instance that finalized in its first transition is never stored, but what it emitted must still go
        // out. On the exception path the transaction is rolled back, so writing here is harmless.
        if (context.IsCompleted && context.Saga.PendingMessages.Count > 0)
            return Write(context, _ => { });

        context.Saga.PendingMessages.Clear();
        return Task.CompletedTask;
    }

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        return Write(context, saga =>
        {
            var entry = _dbContext.ChangeTracker.Entries<TSaga>().FirstOrDefault(x => x.Entity.CorrelationId == saga.CorrelationId);
            if (entry is not null)
                entry.State = EntityState.Unchanged;
        });
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class
    {
        return _factory.CreateSagaConsumeContext(_dbContext, consumeContext, instance, mode);
    }

    async Task Write(SagaConsumeContext<TSaga> context, Action<TSaga> change)
    {
        await _inUse.WaitAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            var saga = context.Saga;

            change(saga);
            StageOutbox(saga);

            if (!_dbContext.ChangeTracker.HasChanges())
                return;

            if (_transaction is not null)
                await _transaction.EnsureStartedAsync().ConfigureAwait(false);

            await _dbContext.SaveChangesAsync(CancellationToken).ConfigureAwait(false);

            saga.PendingMessages.Clear();
        }
        finally
        {
            _inUse.Release();
        }
    }

    void StageOutbox(TSaga saga)
    {
        if (saga.PendingMessages.Count == 0)
            return;

        // One timestamp per consume: the relay orders by (saga, CreatedAt, Sequence).
        _stagedAt ??= DateTime.UtcNow;

        foreach (var item in saga.PendingMessages)
        {
            var row = OutboxMessage.Create(saga.CorrelationId, item, _stagedAt.Value, _staged.Count);

            _dbContext.Set<OutboxMessage>().Add(row);
            _staged.Add(new StagedOutboxMessage(row, item));
        }
    }
}
