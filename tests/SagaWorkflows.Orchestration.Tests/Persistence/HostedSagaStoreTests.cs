using System.Text.Json;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

public sealed class HostedSagaStoreTests
{
    [Fact]
    public async Task Generic_host_creates_the_store_before_other_services_start_and_relays_once_started()
    {
        using var directory = new TempDirectory("sagawf-host-");
        var connectionString = $"Data Source={directory.Combine("sagas.db")}";
        var relayed = new TaskCompletionSource<LeftBehind>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sagaId = NewId.NextGuid();
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddDbContextFactory<CounterDbContext>(o => o.UseSqliteSagaStore(connectionString));
            // Registered before the initializer on purpose: it must still find the tables when it starts.
            builder.Services.AddHostedService(provider => new LeftBehindWriter(provider.GetRequiredService<IDbContextFactory<CounterDbContext>>(), sagaId));
            builder.Services.AddSagaStoreInitializer<CounterDbContext>();
            builder.Services.AddSagaOutboxRelay<CounterDbContext>(o => o.RelayAge = TimeSpan.Zero);
            builder.Services.AddMassTransit(x =>
            {
                x.AddSagaStateMachine<CounterStateMachine, CounterSaga>().UseEfSagaRepository<CounterSaga, CounterDbContext>();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.ReceiveEndpoint(SagaStoreTestHost.SagaQueue, e =>
                    {
                        e.ConfigureDurableSagaEndpoint();
                        e.ConfigureSaga<CounterSaga>(context);
                    });
                    cfg.ReceiveEndpoint("left-behind", e => e.Handler<LeftBehind>(context =>
                    {
                        relayed.TrySetResult(context.Message);
                        return Task.CompletedTask;
                    }));
                });
            });

            using var host = builder.Build();
            await host.StartAsync();
            try
            {
                var message = await relayed.Task.WaitAsync(TimeSpan.FromSeconds(5));

                Assert.Equal(sagaId, message.CounterId);
                Assert.Equal("hello", message.Payload.GetProperty("greeting").GetString());
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            using (var connection = new SqliteConnection(connectionString))
            {
                SqliteConnection.ClearPool(connection);
            }
        }
    }


    private sealed class LeftBehindWriter(IDbContextFactory<CounterDbContext> factory, Guid sagaId) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            using var payload = JsonDocument.Parse("""{ "greeting": "hello" }""");
            var message = new LeftBehind(sagaId, 0, payload.RootElement.Clone());

            db.Outbox.Add(OutboxMessage.Create(sagaId, new OutboxItem(message, typeof(LeftBehind), null), DateTime.UtcNow));
            await db.SaveChangesAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
