using SagaWorkflows.Testing;
using System.Globalization;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Infrastructure;

/// <summary>
/// The system under test as users deploy it: the orchestrator and the sample worker as separate processes
/// from their build output, on the run's virtual host, the orchestrator on a SQLite file in a temporary folder.
/// </summary>
public sealed class SagaWorkflowsDeployment(BrokerVirtualHost broker, string directory, BenchmarkOptions options) : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);
    private int _generation;

    public HostProcess? Orchestrator { get; private set; }
    public HostProcess? Worker { get; private set; }

    /// <summary>The orchestrator's current store; each (re)start gets a fresh file.</summary>
    public string DatabasePath { get; private set; } = "";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(directory, "definitions"));
        await Task.WhenAll(StartOrchestratorAsync(cancellationToken), StartWorkerAsync(cancellationToken));
    }

    /// <summary>A new orchestrator process on an empty store: its peak memory then belongs to what follows.</summary>
    public async Task RestartOrchestratorAsync(CancellationToken cancellationToken)
    {
        if (Orchestrator is not null)
        {
            await Orchestrator.DisposeAsync();
            Orchestrator = null;
        }

        await StartOrchestratorAsync(cancellationToken);
    }

    /// <summary>The store's size on disk, write-ahead log included.</summary>
    public long DatabaseBytes() =>
        new[] { "", "-wal" }.Select(suffix => new FileInfo(DatabasePath + suffix)).Where(f => f.Exists).Sum(f => f.Length);

    public async ValueTask DisposeAsync()
    {
        if (Orchestrator is not null)
        {
            await Orchestrator.DisposeAsync();
        }

        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }
    }

    private async Task StartOrchestratorAsync(CancellationToken cancellationToken)
    {
        DatabasePath = Path.Combine(directory, $"workflows-{Interlocked.Increment(ref _generation)}.db");
        var environment = CommonEnvironment();
        // A store given with --host-env (e.g. a PostgreSQL database) replaces the SQLite file of each start.
        environment.TryAdd("ConnectionStrings__Workflows", $"Data Source={DatabasePath}");
        environment["SagaWorkflows__Orchestrator__DefinitionsPath"] = Path.Combine(directory, "definitions");
        if (options.SagaConcurrency is { } limit)
        {
            environment["SagaWorkflows__Orchestrator__ConcurrentMessageLimit"] = limit.ToString(CultureInfo.InvariantCulture);
        }

        if (options.Partitions is { } partitions)
        {
            environment["SagaWorkflows__Orchestrator__PartitionCount"] = partitions.ToString(CultureInfo.InvariantCulture);
        }

        Orchestrator = HostProcess.Start("SagaWorkflows.Orchestrator", environment, directory);
        await WaitForConsumer(QueueNames.WorkflowRuns, Orchestrator, cancellationToken);
    }

    private async Task StartWorkerAsync(CancellationToken cancellationToken)
    {
        Worker = HostProcess.Start("SagaWorkflows.Worker", CommonEnvironment(), directory);
        await WaitForConsumer(QueueNames.Tool("echo"), Worker, cancellationToken);
    }

    private Dictionary<string, string> CommonEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__RabbitMq"] = broker.AmqpUri.ToString(),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__Console__FormatterName"] = "simple",
        };
        if (options.PrefetchCount is { } prefetch)
        {
            environment["SagaWorkflows__PrefetchCount"] = prefetch.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in options.HostEnvironment)
        {
            environment[key] = value;
        }

        return environment;
    }

    private async Task WaitForConsumer(string queue, HostProcess host, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException($"{host.Name} exited during startup:\n{host.Tail()}");
            }

            if (await broker.ConsumerCountAsync(queue, cancellationToken) is > 0)
            {
                return;
            }

            // A separate process gives no readiness signal but its consumer appearing on the broker.
            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{host.Name} did not start consuming {queue} within {StartupTimeout.TotalSeconds} s:\n{host.Tail()}");
    }
}
