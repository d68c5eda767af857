using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// One saga store — one database, reached through one connection string — and what this process keeps about it:
/// its dialect, the prepared statements of its tables, the outbox rows delivered but not yet deleted, and (on
/// SQLite, which has one writer per file) the turn its writers take, the compiled reads. Registered once per DbContext type in DI
/// (<see cref="SagaStore{TContext}"/>); nothing about a store lives in static state.
/// </summary>
public abstract class SagaStore
{
    private readonly ConcurrentDictionary<Type, SagaRowStatements> _statements = new();
    private readonly ConcurrentDictionary<Type, object> _queries = new();
    private readonly SemaphoreSlim? _writeTurn;

    private protected SagaStore(string connectionString, SagaStoreDialect dialect)
    {
        ConnectionString = connectionString;
        Dialect = dialect;
        _writeTurn = dialect.SingleWriter ? new SemaphoreSlim(1, 1) : null;
    }

    public string ConnectionString { get; }

    public SagaStoreDialect Dialect { get; }

    internal DeliveredOutboxRows Delivered { get; } = new();

    /// <summary>
    /// Waits for this process's turn to write (SQLite: asynchronously, instead of blocking pool threads in SQLite's busy
    /// handler, which starves the pool under many consumers; writers of other processes are still covered by the busy
    /// timeout). Null where writers need no turn (PostgreSQL: row locks and versioned updates do it).
    /// </summary>
    internal async Task<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken)
    {
        if (_writeTurn is null)
        {
            return null;
        }

        await _writeTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(_writeTurn);
    }

    /// <summary>The INSERT/UPDATE/DELETE statements of a mapped entity type, generated once per store.</summary>
    internal SagaRowStatements Statements(DbContext dbContext, Type entityType)
    {
        return _statements.GetOrAdd(entityType, static (type, context) =>
        {
            var mapped = context.Model.FindEntityType(type)
                ?? throw new InvalidOperationException($"{type.Name} is not mapped by {context.GetType().Name}.");
            return new SagaRowStatements(mapped, context.GetService<ISqlGenerationHelper>());
        }, dbContext);
    }

    /// <summary>The compiled reads of a saga type, per store (a compiled query is bound to the model it first ran with).</summary>
    internal SagaQueries<TSaga> Queries<TSaga>()
        where TSaga : class, IDurableSaga =>
        (SagaQueries<TSaga>)_queries.GetOrAdd(typeof(TSaga), static _ => new SagaQueries<TSaga>());

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}

/// <summary>The store a <typeparamref name="TContext"/> factory connects to (a singleton per context type).</summary>
public sealed class SagaStore<TContext> : SagaStore
    where TContext : DbContext
{
    public SagaStore(IDbContextFactory<TContext> factory)
        : this(Probe(factory))
    {
    }

    private SagaStore((string ConnectionString, SagaStoreDialect Dialect) probed)
        : base(probed.ConnectionString, probed.Dialect)
    {
    }

    private static (string, SagaStoreDialect) Probe(IDbContextFactory<TContext> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        using var probe = factory.CreateDbContext();
        return (probe.Database.GetConnectionString() ?? "", SagaStoreDialect.Of(probe));
    }
}
