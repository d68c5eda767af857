using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// One consume's view of the saga store. Instances are loaded without change tracking; what the transition
/// changes (the saga row, checked against the version it was loaded with, and the outbox rows of the messages it
/// emitted) is collected here and written as one unit by <see cref="SagaStoreWriter{TContext}"/> once the saga
/// pipe has finished, so either all of it or none of it becomes visible. An instance this process committed
/// last is taken from <see cref="SagaInstanceCache{TSaga}"/> instead of the store; the store is only opened
/// (one DbContext per consume) when something has to be read from it.
/// </summary>
public sealed class EfSagaRepositoryContext<TSaga, TMessage> :
    ConsumeContextScope<TMessage>,
    SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, IDurableSaga
    where TMessage : class
{
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly Func<Task<DbContext>> _dbContext;
    private readonly SagaInstanceCache<TSaga> _cache;
    private readonly ISagaConsumeContextFactory<SagaStoreScope, TSaga> _factory;
    private readonly SagaRowStatements _statements;
    private readonly SagaQueries<TSaga> _queries;
    private readonly Dictionary<TSaga, Stored> _instances = new(ReferenceEqualityComparer.Instance);
    private readonly List<SagaRowWrite> _rows = [];
    private readonly List<StagedOutboxMessage> _staged = [];
    private DateTime? _stagedAt;

    internal EfSagaRepositoryContext(Func<Task<DbContext>> dbContext, SagaInstanceCache<TSaga> cache, SagaRowStatements statements,
        SagaQueries<TSaga> queries, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<SagaStoreScope, TSaga> factory)
        : base(consumeContext)
    {
        _queries = queries;
        _statements = statements;
        _dbContext = dbContext;
        _cache = cache;
        _consumeContext = consumeContext;
        _factory = factory;
    }

    /// <summary>What the transition wants written, or null when it changed nothing and emitted nothing.</summary>
    internal SagaStoreWrite? TakeWrite()
    {
        return _rows.Count == 0 && _staged.Count == 0 ? null : new SagaStoreWrite(_rows.ToList(), _staged.ToList());
    }

    /// <summary>After the commit: the instances it wrote (or loaded and left unchanged) are what the store holds now.</summary>
    internal void CacheCommitted()
    {
        foreach (var row in _rows.Where(r => r.Operation == SagaRowOperation.Delete))
        {
            _cache.Remove(row.CorrelationId);
        }

        foreach (var instance in _instances.Keys)
        {
            _cache.Put(instance);
        }
    }

    /// <summary>Instances loaded by a query, to be written back by this context.</summary>
    internal void Track(IEnumerable<TSaga> instances)
    {
        foreach (var instance in instances)
        {
            _instances[instance] = new Stored(IsNew: false, instance.Version, _statements.Snapshot(instance));
        }
    }

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance)
    {
        _instances[instance] = new Stored(IsNew: true, 0, null);
        return _factory.CreateSagaConsumeContext(SagaStoreScope.Instance, _consumeContext, instance, SagaConsumeContextMode.Add);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        // The row is written with the transition's outcome, not before it. A duplicate is recognised here (the
        // caller then loads the existing instance) or, if two starts race, by the writer, whose conflict makes this
        // message retry and come here again.
        if (_cache.Contains(instance.CorrelationId)
            || await _queries.Exists(await _dbContext().ConfigureAwait(false), instance.CorrelationId, CancellationToken).ConfigureAwait(false))
        {
            return null!;
        }

        _instances[instance] = new Stored(IsNew: true, 0, null);
        return await _factory.CreateSagaConsumeContext(SagaStoreScope.Instance, _consumeContext, instance, SagaConsumeContextMode.Insert).ConfigureAwait(false);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        if (!_cache.TryTake(correlationId, out var instance))
        {
            var dbContext = await _dbContext().ConfigureAwait(false);
            var loaded = await _queries.Load(dbContext, correlationId, CancellationToken).ConfigureAwait(false);
            if (loaded is null)
            {
                return null!;
            }

            if (loaded is IDurableSagaDependents dependents)
            {
                await dependents.LoadDependentsAsync(dbContext, CancellationToken).ConfigureAwait(false);
            }

            instance = loaded;
        }

        _instances[instance] = new Stored(IsNew: false, instance.Version, _statements.Snapshot(instance));
        return await _factory.CreateSagaConsumeContext(SagaStoreScope.Instance, _consumeContext, instance, SagaConsumeContextMode.Load).ConfigureAwait(false);
    }

    public Task Save(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Stage(context.Saga, deleted: false);
        return Task.CompletedTask;
    }

    public Task Update(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Stage(context.Saga, deleted: false);
        return Task.CompletedTask;
    }

    public Task Delete(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Stage(context.Saga, deleted: true);
        return Task.CompletedTask;
    }

    public Task Discard(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // A new instance that finalized in its first transition is never stored, but what it emitted must still go out.
        if (context.IsCompleted)
        {
            StageOutbox(context.Saga);
        }

        StageDependents(context.Saga, discard: true);
        context.Saga.PendingMessages.Clear();
        return Task.CompletedTask;
    }

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The state is left as stored; messages the transition emitted still leave.
        StageDependents(context.Saga, discard: true);
        StageOutbox(context.Saga);
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class
    {
        return _factory.CreateSagaConsumeContext(SagaStoreScope.Instance, consumeContext, instance, mode);
    }

    private void Stage(TSaga saga, bool deleted)
    {
        var stored = _instances.GetValueOrDefault(saga, new Stored(IsNew: true, 0, null));
        if (stored.IsNew)
        {
            if (!deleted)
            {
                saga.Version = 1;
                _rows.Add(new SagaRowWrite(SagaRowOperation.Insert, saga, typeof(TSaga), saga.CorrelationId, 0));
                _instances[saga] = new Stored(IsNew: false, saga.Version, null);
            }
        }
        else if (deleted)
        {
            _rows.Add(new SagaRowWrite(SagaRowOperation.Delete, saga, typeof(TSaga), saga.CorrelationId, stored.Version));
            _instances.Remove(saga);
        }
        else
        {
            // A concurrent writer makes the versioned UPDATE miss: a conflict, which the endpoint's retry replays from a fresh load.
            saga.Version = stored.Version + 1;
            _rows.Add(new SagaRowWrite(SagaRowOperation.Update, saga, typeof(TSaga), saga.CorrelationId, stored.Version, stored.Values));
            _instances[saga] = new Stored(IsNew: false, saga.Version, null); // written again in this consume (rare): every column
        }

        StageDependents(saga, discard: stored.IsNew && deleted); // never stored: nothing of it to write
        StageOutbox(saga);
    }

    /// <summary>The rows the saga keeps in other tables follow its row, in the same unit (so a conflict on the saga row discards them too).</summary>
    private void StageDependents(TSaga saga, bool discard)
    {
        if (saga is not IDurableSagaDependents dependents)
        {
            return;
        }

        foreach (var change in dependents.TakeDependentChanges())
        {
            if (!discard)
            {
                _rows.Add(new SagaRowWrite(change.Delete ? SagaRowOperation.DeleteDependent : SagaRowOperation.WriteDependent, change.Entity,
                    change.Entity.GetType(), saga.CorrelationId, 0));
            }
        }
    }

    private void StageOutbox(TSaga saga)
    {
        if (saga.PendingMessages.Count == 0)
        {
            return;
        }

        // One timestamp per consume: the relay orders by (saga, CreatedAt, Sequence).
        _stagedAt ??= DateTime.UtcNow;
        foreach (var item in saga.PendingMessages)
        {
            _staged.Add(new StagedOutboxMessage(OutboxMessage.Create(saga.CorrelationId, item, _stagedAt.Value, _staged.Count), item));
        }

        saga.PendingMessages.Clear();
    }

    /// <param name="Values">The row's column values as the store holds them (null for a new instance).</param>
    private readonly record struct Stored(bool IsNew, int Version, object?[]? Values);
}

/// <summary>The store context type of the saga consume contexts (MassTransit's factory does not use it).</summary>
public sealed class SagaStoreScope
{
    internal static readonly SagaStoreScope Instance = new();

    private SagaStoreScope()
    {
    }
}

/// <summary>
/// The two reads of the hot path, compiled once per store and saga type (<see cref="SagaStore.Queries{TSaga}"/>): a
/// compiled query belongs to the model, and so to the store's provider, it was first run with.
/// </summary>
internal sealed class SagaQueries<TSaga>
    where TSaga : class, IDurableSaga
{
    public Func<DbContext, Guid, CancellationToken, Task<TSaga?>> Load { get; } =
        EF.CompileAsyncQuery((DbContext db, Guid id, CancellationToken _) => db.Set<TSaga>().AsNoTracking().FirstOrDefault(x => x.CorrelationId == id));

    public Func<DbContext, Guid, CancellationToken, Task<bool>> Exists { get; } =
        EF.CompileAsyncQuery((DbContext db, Guid id, CancellationToken _) => db.Set<TSaga>().Any(x => x.CorrelationId == id));
}
