using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

/// <summary>
/// The counter saga on the in-memory bus, stored in a SQLite file of its own temp directory, or in a PostgreSQL
/// database of its own (<see cref="Postgres"/>).
/// </summary>
public sealed class SagaStoreTestHost : IAsyncDisposable
{
    public const string SagaQueue = "counter-saga";

    /// <summary>The dialects tests run against (theory data).</summary>
    public const string Sqlite = "sqlite";

    public const string Postgres = "postgres";

    private readonly TempDirectory _directory;
    private readonly PostgresTestDatabase? _database;
    private readonly ServiceProvider _provider;
    private bool _started;

    private SagaStoreTestHost(TempDirectory directory, PostgresTestDatabase? database, string connectionString, ServiceProvider provider)
    {
        _directory = directory;
        _database = database;
        ConnectionString = connectionString;
        _provider = provider;
    }

    public static TheoryData<string> Dialects => [Sqlite, Postgres];

    public string ConnectionString { get; }

    public ITestHarness Harness => _provider.GetTestHarness();

    public IServiceProvider Services => _provider;

    /// <param name="insertOnInitial">Use the machine whose initiating event pre-inserts the instance.</param>
    /// <param name="relay">Adds the outbox relay with these options.</param>
    /// <param name="seed">Runs against the created store before the bus starts.</param>
    /// <param name="interceptor">Sees every command EF runs (loads, queries; not the writer's own statements).</param>
    /// <param name="dialect"><see cref="Sqlite"/> or <see cref="Postgres"/>.</param>
    public static async Task<SagaStoreTestHost> StartAsync(bool insertOnInitial = false, Action<SagaOutboxOptions>? relay = null,
        Func<CounterDbContext, Task>? seed = null, Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor? interceptor = null, string dialect = Sqlite)
    {
        var directory = new TempDirectory("sagawf-store-");
        var database = dialect == Postgres ? await PostgresTestDatabase.CreateAsync() : null;
        var connectionString = database?.ConnectionString ?? $"Data Source={directory.Combine("sagas.db")}";

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<CounterDbContext>(options =>
        {
            if (database is null)
            {
                options.UseSqliteSagaStore(connectionString, TimeSpan.FromSeconds(10));
            }
            else
            {
                options.UseSagaStore(connectionString);
            }

            if (interceptor is not null)
            {
                options.AddInterceptors(interceptor);
            }
        });

        services.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(10));

            var saga = insertOnInitial
                ? x.AddSagaStateMachine<InsertingCounterStateMachine, CounterSaga>()
                : x.AddSagaStateMachine<CounterStateMachine, CounterSaga>();
            saga.UseEfSagaRepository<CounterSaga, CounterDbContext>();

            // As in the embedded product: a send due later goes through the transport's delay.
            x.AddDelayedMessageScheduler();
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.ReceiveEndpoint(SagaQueue, e =>
                {
                    // Enough consumers to make messages of one saga really race; no partitioner on purpose.
                    e.ConcurrentMessageLimit = 20;
                    e.ConfigureDurableSagaEndpoint();
                    e.ConfigureSaga<CounterSaga>(context);
                });
            });
        });

        // After the bus: the harness starts hosted services in registration order and has no application lifetime.
        if (relay is not null)
        {
            services.AddSagaOutboxRelay<CounterDbContext>(relay);
        }

        var provider = services.BuildServiceProvider(validateScopes: true);
        var host = new SagaStoreTestHost(directory, database, connectionString, provider);
        try
        {
            await provider.EnsureSagaStoreCreatedAsync<CounterDbContext>();

            if (seed is not null)
            {
                await host.WithDbContextAsync(seed);
            }

            await host.Harness.Start();
            host._started = true;

            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async Task<T> WithDbContextAsync<T>(Func<CounterDbContext, Task<T>> query)
    {
        var factory = _provider.GetRequiredService<IDbContextFactory<CounterDbContext>>();
        await using var dbContext = await factory.CreateDbContextAsync();

        return await query(dbContext);
    }

    public Task WithDbContextAsync(Func<CounterDbContext, Task> action)
    {
        return WithDbContextAsync(async dbContext =>
        {
            await action(dbContext);
            return true;
        });
    }

    /// <summary>
    /// Publishes <paramref name="message"/>, waits for <paramref name="count"/> successful consumes of messages like it
    /// (<paramref name="consumed"/>) and then for their deliveries; returns the consumes seen.
    /// </summary>
    public async Task<int> PublishAndSettleAsync<T>(T message, Func<T, bool> consumed, int count = 1)
        where T : class
    {
        await Harness.Bus.Publish(message);
        var seen = await Harness.WaitForConsumedAsync(consumed, count);
        await DrainedAsync();
        return seen;
    }

    /// <summary>A started counter, its start's messages delivered.</summary>
    public Task StartCounterAsync(Guid id) => PublishAndSettleAsync(new StartCounter(id), m => m.CounterId == id);

    /// <summary>Waits until the messages of every committed transition so far were handed to the bus (or failed to be).</summary>
    public Task DrainedAsync() => _provider.GetRequiredService<SagaOutboxDelivery>().DrainedAsync();

    /// <summary>Whether the saga's row is visible to a connection of its own, i.e. committed.</summary>
    public Task<bool> IsCommittedAsync(Guid id) => WithDbContextAsync(db => db.Counters.AnyAsync(x => x.CorrelationId == id));

    public Task<CounterSaga?> FindSagaAsync(Guid id)
    {
        return WithDbContextAsync(db => db.Counters.AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id));
    }

    /// <summary>Rows still waiting for delivery: delivered ones only wait to be deleted with later work.</summary>
    public Task<List<OutboxMessage>> OutboxRowsAsync()
    {
        var delivered = _provider.GetRequiredService<SagaStore<CounterDbContext>>().Delivered;
        return WithDbContextAsync(async db => (await db.Outbox.AsNoTracking().ToListAsync()).Where(r => !delivered.Contains(r.Id)).ToList());
    }

    /// <summary>Every row in the table, delivered or not.</summary>
    public Task<List<OutboxMessage>> AllOutboxRowsAsync()
    {
        return WithDbContextAsync(db => db.Outbox.AsNoTracking().ToListAsync());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_started)
            {
                await Harness.Stop();
            }
        }
        finally
        {
            await _provider.DisposeAsync();

            if (_database is not null)
            {
                await _database.DisposeAsync();
            }
            else
            {
                using (var connection = new SqliteConnection(ConnectionString))
                {
                    SqliteConnection.ClearPool(connection);
                }
            }

            _directory.Dispose();
        }
    }
}
