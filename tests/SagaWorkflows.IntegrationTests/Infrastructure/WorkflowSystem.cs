using SagaWorkflows.Testing;
using System.Text.Json;
using MassTransit;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.IntegrationTests.Infrastructure;

/// <summary>
/// A whole deployment for one test class: its own RabbitMQ virtual host, the orchestrator and the
/// sample worker as real processes, and a bus in the test process that starts runs and records
/// every lifecycle event.
/// </summary>
public class WorkflowSystem : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sagawf-it-" + Guid.NewGuid().ToString("N")[..12]);
    private IBusControl? _bus;

    public string VirtualHost { get; private set; } = "";
    public EventLog Events { get; } = new();
    public HostProcess? Orchestrator { get; private set; }
    public HostProcess? Worker { get; private set; }

    /// <summary>A second orchestrator on the same store and queues, when a test starts one.</summary>
    public HostProcess? SecondOrchestrator { get; private set; }
    public IBus Bus => _bus ?? throw new InvalidOperationException("not started");

    public string DatabasePath => Path.Combine(_directory, "workflows.db");

    protected virtual bool StartWorker => true;

    /// <summary>How long a host may take to start consuming.</summary>
    protected virtual TimeSpan StartupTimeout => TimeSpan.FromSeconds(120);

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        VirtualHost = await Broker.CreateVirtualHostAsync("sagawf-it");
        _bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(Broker.AmqpUri(VirtualHost)));
            cfg.ReceiveEndpoint("test-observer-" + Guid.NewGuid().ToString("N")[..8], e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<WorkflowLifecycleEvent>(c =>
                {
                    Events.Add(c.Message);
                    return Task.CompletedTask;
                });
                e.Handler<SignalRejected>(c =>
                {
                    Events.Add(c.Message);
                    return Task.CompletedTask;
                });
            });
        });
        await _bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        await StartOrchestratorAsync();
        if (StartWorker)
        {
            await StartWorkerAsync();
        }
    }

    public virtual IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        // Development turns on the host's scope validation: DI mistakes fail the start, not a later request.
        ["DOTNET_ENVIRONMENT"] = "Development",
        ["ConnectionStrings__RabbitMq"] = Broker.AmqpUri(VirtualHost),
        ["ConnectionStrings__Workflows"] = $"Data Source={DatabasePath}",
        ["SagaWorkflows__Orchestrator__DefinitionsPath"] = Path.Combine(RepositoryPaths.Root, "samples"),
        ["SagaWorkflows__Orchestrator__TimerPollInterval"] = "00:00:00.250",
    };

    public async Task StartOrchestratorAsync()
    {
        Orchestrator = HostProcess.Start("SagaWorkflows.Orchestrator", Environment, _directory);
        await WaitForConsumerAsync(QueueNames.WorkflowRuns, Orchestrator);
    }

    /// <summary>
    /// Another orchestrator process on the same workflow store, consuming the same runs queue (its scheduler
    /// gets a store of its own: Quartz on SQLite is not clustered).
    /// </summary>
    public async Task StartSecondOrchestratorAsync()
    {
        var environment = new Dictionary<string, string>(Environment)
        {
            ["SagaWorkflows__Orchestrator__SchedulerConnectionString"] = $"Data Source={Path.Combine(_directory, "scheduler-2.db")}",
            ["Logging__LogLevel__SagaWorkflows.Orchestration.Persistence"] = "Debug",
        };
        SecondOrchestrator = HostProcess.Start("SagaWorkflows.Orchestrator", environment, _directory);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await Broker.QueueInfoAsync(VirtualHost, QueueNames.WorkflowRuns) is not { Consumers: >= 2 })
        {
            if (SecondOrchestrator.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the second orchestrator did not start consuming:\n{Tail(SecondOrchestrator.Output)}");
            }

            // Polling the broker is the only readiness signal a separate process gives us.
            await Task.Delay(100);
        }
    }

    public async Task StartWorkerAsync()
    {
        Worker = HostProcess.Start("SagaWorkflows.Worker", Environment, _directory);
        await WaitForConsumerAsync(QueueNames.Tool("echo"), Worker);
    }

    public async Task<Guid> StartRunAsync(string definition, object? input = null, Guid? runId = null)
    {
        var id = runId ?? NewId.NextGuid();
        await Bus.Publish(new StartWorkflow
        {
            RunId = id,
            Definition = definition,
            Input = input is null ? null : JsonSerializer.SerializeToElement(input),
        });
        return id;
    }

    public string Diagnostics() =>
        $"--- orchestrator ---\n{Tail(Orchestrator?.Output)}\n--- worker ---\n{Tail(Worker?.Output)}" +
        (SecondOrchestrator is null ? "" : $"\n--- second orchestrator ---\n{Tail(SecondOrchestrator.Output)}");

    public async Task WaitForConsumerAsync(string queue, HostProcess host)
    {
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException($"{host.Name} exited during startup:\n{Tail(host.Output)}");
            }

            if (await Broker.QueueInfoAsync(VirtualHost, queue) is { Consumers: > 0 })
            {
                return;
            }

            // Polling the broker is the only readiness signal a separate process gives us.
            await Task.Delay(100);
        }

        throw new TimeoutException($"{host.Name} did not start consuming {queue} within {StartupTimeout.TotalSeconds} s:\n{Tail(host.Output)}");
    }

    public virtual async Task DisposeAsync()
    {
        if (Orchestrator is not null)
        {
            await Orchestrator.DisposeAsync();
        }

        if (SecondOrchestrator is not null)
        {
            await SecondOrchestrator.DisposeAsync();
        }

        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }

        if (_bus is not null)
        {
            await _bus.StopAsync();
        }

        try
        {
            await Broker.DeleteVirtualHostAsync(VirtualHost);
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Leftovers in /tmp or on the broker do not affect other tests: every fixture has its own.
        }
    }

    private static string Tail(string? output) =>
        output is null ? "(not started)" : string.Join('\n', output.Split('\n').TakeLast(60));
}
