using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

/// <summary>The counter saga on the in-memory bus, stored in a SQLite file of its own temp directory.</summary>
public sealed class SagaStoreTestHost : IAsyncDisposable
{
    public const string SagaQueue = "counter-saga";

    readonly string _directory;
    readonly ServiceProvider _provider;
    bool _started;

    SagaStoreTestHost(string directory, string connectionString, ServiceProvider provider)
    {
        _directory = directory;
        ConnectionString = connectionString;
        _provider = provider;
    }

    public string ConnectionString { get; }

    public ITestHarness Harness => _provider.GetTestHarness();

    public IServiceProvider Services => _provider;

    /// <param name="insertOnInitial">Use the machine whose initiating event pre-inserts the instance.</param>
    /// <param name="relay">Adds the outbox relay with these options.</param>
    /// <param name="seed">Runs against the created store before the bus starts.</param>
    /// <param name="interceptor">Sees every command EF runs (loads, queries; not the writer's own statements).</param>
    public static async Task<SagaStoreTestHost> StartAsync(bool insertOnInitial = false, Action<SagaOutboxOptions>? relay = null,
        Func<CounterDbContext, Task>? seed = null, Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor? interceptor = null)
    {
        var directory = Directory.CreateTempSubdirectory("sagawf-store-").FullName;
        var connectionString = $"Data Source={Path.Combine(directory, "sagas.db")}";

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<CounterDbContext>(options =>
        {
            options.UseSqliteSagaStore(connectionString, TimeSpan.FromSeconds(10));
            if (interceptor is not null)
                options.AddInterceptors(interceptor);
        });

        services.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(10));

            var saga = insertOnInitial
                ? x.AddSagaStateMachine<InsertingCounterStateMachine, CounterSaga>()
                : x.AddSagaStateMachine<CounterStateMachine, CounterSaga>();
            saga.UseEfSagaRepository<CounterSaga, CounterDbContext>();

            x.UsingInMemory((context, cfg) =>
            {
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
            services.AddSagaOutboxRelay<CounterDbContext>(relay);

        var provider = services.BuildServiceProvider(validateScopes: true);
        var host = new SagaStoreTestHost(directory, connectionString, provider);
        try
        {
            await provider.EnsureSagaStoreCreatedAsync<CounterDbContext>();

            if (seed is not null)
                await host.WithDbContext(seed);

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

    public async Task<T> WithDbContext<T>(Func<CounterDbContext, Task<T>> query)
    {
        var factory = _provider.GetRequiredService<IDbContextFactory<CounterDbContext>>();
        await using var dbContext = await factory.CreateDbContextAsync();

        return await query(dbContext);
    }

    public Task WithDbContext(Func<CounterDbContext, Task> action)
    {
        return WithDbContext(async dbContext =>
        {
            await action(dbContext);
            return true;
        });
    }

    /// <summary>
    /// Publishes <paramref name="message"/>, waits for <paramref name="count"/> successful consumes of messages like it
    /// (<paramref name="consumed"/>) and then for their deliveries; returns the consumes seen.
    /// </summary>
    public async Task<int> PublishAndSettle<T>(T message, Func<T, bool> consumed, int count = 1)
        where T : class
    {
        await Harness.Bus.Publish(message);
        var seen = await Harness.WaitForConsumed(consumed, count);
        await Drained();
        return seen;
    }

    /// <summary>A started counter, its start's messages delivered.</summary>
    public Task StartCounter(Guid id) => PublishAndSettle(new StartCounter(id), m => m.CounterId == id);

    /// <summary>Waits until the messages of every committed transition so far were handed to the bus (or failed to be).</summary>
    public Task Drained() => _provider.GetRequiredService<SagaOutboxDelivery>().Drained();

    public Task<CounterSaga?> FindSaga(Guid id)
    {
        return WithDbContext(db => db.Counters.AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == id));
    }

    /// <summary>Rows still waiting for delivery: delivered ones only wait to be deleted with later work.</summary>
    public Task<List<OutboxMessage>> OutboxRows()
    {
        return WithDbContext(async db => (await db.Outbox.AsNoTracking().ToListAsync()).Where(r => !DeliveredOutboxRows.Contains(db, r.Id)).ToList());
    }

    /// <summary>Every row in the table, delivered or not.</summary>
    public Task<List<OutboxMessage>> AllOutboxRows()
    {
        return WithDbContext(db => db.Outbox.AsNoTracking().ToListAsync());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_started)
                await Harness.Stop();
        }
        finally
        {
            await _provider.DisposeAsync();

            using (var connection = new SqliteConnection(ConnectionString))
                SqliteConnection.ClearPool(connection);

            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open somewhere only leaves a temp directory behind.
            }
        }
    }
}
