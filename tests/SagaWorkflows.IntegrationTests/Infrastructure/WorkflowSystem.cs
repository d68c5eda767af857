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
public class WorkflowSystem : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _directory = new("sagawf-it-");
    private IBusControl? _bus;

    public string VirtualHost { get; private set; } = "";
    public EventLog Events { get; } = new();
    public HostProcess? Orchestrator { get; private set; }
    public HostProcess? Worker { get; private set; }

    /// <summary>A second orchestrator on the same store and queues, when a test starts one.</summary>
    public HostProcess? SecondOrchestrator { get; private set; }
    public IBus Bus => _bus ?? throw new InvalidOperationException("not started");

    public string DatabasePath => _directory.Combine("workflows.db");

    protected virtual bool StartWorker => true;

    /// <summary>How long a host may take to start consuming.</summary>
    protected virtual TimeSpan StartupTimeout => TimeSpan.FromSeconds(120);

    public virtual async Task InitializeAsync()
    {
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
        Orchestrator = HostProcess.Start("SagaWorkflows.Orchestrator", Environment, _directory.Path);
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
            ["SagaWorkflows__Orchestrator__SchedulerConnectionString"] = $"Data Source={_directory.Combine("scheduler-2.db")}",
            ["Logging__LogLevel__SagaWorkflows.Orchestration.Persistence"] = "Debug",
        };
        SecondOrchestrator = HostProcess.Start("SagaWorkflows.Orchestrator", environment, _directory.Path);
        await ConsumingAsync(QueueNames.WorkflowRuns, 2, [SecondOrchestrator], TimeSpan.FromSeconds(60), () => Tail(SecondOrchestrator.Output));
    }

    public async Task StartWorkerAsync()
    {
        Worker = HostProcess.Start("SagaWorkflows.Worker", Environment, _directory.Path);
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

    public Task WaitForConsumerAsync(string queue, HostProcess host) =>
        ConsumingAsync(queue, 1, [host], StartupTimeout, () => Tail(host.Output));

    /// <summary>
    /// Waits until <paramref name="queue"/> has <paramref name="consumers"/> consumers, failing at once when one of the
    /// <paramref name="starting"/> hosts exits. Polling the broker is the only readiness signal a separate process gives.
    /// </summary>
    protected async Task ConsumingAsync(string queue, int consumers, IReadOnlyList<HostProcess> starting, TimeSpan timeout, Func<string> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(starting);
        await Poll.UntilAsync(
            async () => starting.FirstOrDefault(h => h.HasExited) is { } exited
                ? throw new InvalidOperationException($"{exited.Name} exited during startup:\n{diagnostics()}")
                : await Broker.QueueInfoAsync(VirtualHost, queue) is { } info && info.Consumers >= consumers,
            timeout, $"{consumers} consumer(s) on {queue}", TimeSpan.FromMilliseconds(100), diagnostics);
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

        _directory.Dispose();
        try
        {
            await Broker.DeleteVirtualHostAsync(VirtualHost);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // Leftovers on the broker do not affect other tests: every fixture has its own vhost.
        }
    }

    /// <summary>Deletes the hosts' folder (as <see cref="DisposeAsync"/> does once it stopped them; xunit calls both).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _directory.Dispose();
        }
    }

    private static string Tail(string? output) =>
        output is null ? "(not started)" : string.Join('\n', output.Split('\n').TakeLast(60));
}
