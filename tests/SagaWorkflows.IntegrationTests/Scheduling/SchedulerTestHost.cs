using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using RabbitMQ.Client;
using SagaWorkflows.Orchestration.Scheduling;

namespace SagaWorkflows.IntegrationTests.Scheduling;

/// <summary>
/// Names private to one test, so tests can run beside each other and beside earlier runs' leftovers:
/// queues, the SQLite file and the Quartz scheduler name.
/// </summary>
public sealed class SchedulerTestNames
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];

    public string SchedulerQueue => $"sagawf-test-scheduler-{_suffix}";
    public string ProbeQueue => $"sagawf-test-probe-{_suffix}";
    public string SchedulerName => $"sagawf-test-{_suffix}";
    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"sagawf-scheduler-{Guid.NewGuid():N}.db");

    public Uri SchedulerAddress => new($"queue:{SchedulerQueue}");
    public Uri ProbeAddress => new($"queue:{ProbeQueue}");

    /// <summary>Deletes the queues (and MassTransit's same-named exchanges) and the database file.</summary>
    public async Task CleanUpAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm", DatabasePath + "-journal" })
        {
            File.Delete(file);
        }

        var factory = new ConnectionFactory { HostName = "localhost", UserName = "guest", Password = "guest" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in new[] { SchedulerQueue, ProbeQueue })
        {
            foreach (var name in new[] { queue, queue + "_error", queue + "_skipped" })
            {
                await channel.QueueDeleteAsync(name);
                await channel.ExchangeDeleteAsync(name);
            }
        }
    }
}

/// <summary>
/// A generic host on the local RabbitMQ running the durable scheduler on its own queue and file, and
/// optionally the probe consumers. Every bus uses that scheduler, as a client would.
/// </summary>
public sealed class SchedulerTestHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private SchedulerTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;
    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    public static async Task<SchedulerTestHost> StartAsync(SchedulerTestNames names, ProbeInbox inbox, bool withProbeConsumers = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(inbox);

        builder.Services.AddSagaWorkflowsScheduler($"Data Source={names.DatabasePath}",
            q => q.ConfigureScheduler(s => s.InstanceName = names.SchedulerName));

        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StopTimeout = TimeSpan.FromSeconds(5);
        });

        builder.Services.AddMassTransit(x =>
        {
            x.AddSagaWorkflowsSchedulerConsumers();
            x.AddMessageScheduler(names.SchedulerAddress);
            x.AddConsumer<ScheduledProbeConsumer>();
            x.AddConsumer<RedeliveryProbeConsumer>();

            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host("localhost", "/", h =>
                {
                    h.Username("guest");
                    h.Password("guest");
                });

                cfg.UseMessageScheduler(names.SchedulerAddress);
                cfg.ConfigureSagaWorkflowsSchedulerEndpoint(context, names.SchedulerQueue);

                if (withProbeConsumers)
                {
                    cfg.ReceiveEndpoint(names.ProbeQueue, e =>
                    {
                        // Only sent to, never published to: no bindings to shared message-type exchanges to leave behind.
                        e.ConfigureConsumeTopology = false;
                        e.ConfigureConsumer<ScheduledProbeConsumer>(context);
                        e.ConfigureConsumer<RedeliveryProbeConsumer>(context);
                    });
                }
            });
        });

        var host = builder.Build();

        // MassTransit keeps its log context in an AsyncLocal that a bus created earlier on this flow may
        // have set from a host since disposed; cleared here, inside this async method, it is rebuilt from
        // this host's logger factory without leaking back to the caller.
        LogContext.Current = null;
        await host.StartAsync();
        return new SchedulerTestHost(host);
    }

    public async Task<IScheduler> QuartzAsync() => await Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
