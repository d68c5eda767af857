using SagaWorkflows.Testing;
using System.Globalization;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Infrastructure;

/// <summary>
/// The system under test as users deploy it: the orchestrator and the sample worker as separate processes
/// from their build output, on the run's virtual host, the orchestrator on a SQLite file in a temporary folder.
/// <see cref="ReplaceOrchestratorsAsync"/> swaps the orchestrators for others on another store, several sharing it.
/// </summary>
public sealed class SagaWorkflowsDeployment(BrokerVirtualHost broker, string directory, BenchmarkOptions options) : IAsyncDisposable
{
    /// <summary>What an orchestrator logs (at Debug, see <see cref="ConflictLogLevel"/>) when a transition lost to another writer.</summary>
    public const string ConflictMarker = "write conflicted";

    /// <summary>The log category and level that make orchestrators report each optimistic-concurrency conflict.</summary>
    public static readonly KeyValuePair<string, string> ConflictLogLevel =
        new("Logging__LogLevel__SagaWorkflows.Orchestration.Persistence.EfSagaRepositoryContextFactory", "Debug");

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);
    private readonly List<HostProcess> _more = [];
    private IReadOnlyDictionary<string, string> _store = new Dictionary<string, string>();
    private int _orchestrators = 1;
    private int _generation;

    /// <summary>Every orchestrator process: <see cref="Orchestrator"/> and the others.</summary>
    public IEnumerable<HostProcess> Orchestrators => Orchestrator is null ? _more : _more.Prepend(Orchestrator);

    /// <summary>Transitions retried for optimistic-concurrency conflicts, summed over the orchestrators (needs <see cref="ConflictLogLevel"/>).</summary>
    public long Conflicts => Orchestrators.Sum(o => o.Counted(ConflictMarker));

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

    /// <summary>
    /// Stops every orchestrator and starts <paramref name="count"/> new ones sharing the runs queue, with
    /// <paramref name="environment"/> on top of the usual settings (e.g. a PostgreSQL <c>ConnectionStrings__Workflows</c>;
    /// without one, each start gets a fresh SQLite file). The worker stays.
    /// </summary>
    public async Task ReplaceOrchestratorsAsync(IReadOnlyDictionary<string, string> environment, int count, CancellationToken cancellationToken)
    {
        foreach (var orchestrator in Orchestrators.ToList())
        {
            await orchestrator.DisposeAsync();
        }

        Orchestrator = null;
        _more.Clear();
        (_store, _orchestrators) = (environment, count);
        await StartOrchestratorAsync(cancellationToken);
    }

    /// <summary>The store's size on disk, write-ahead log included.</summary>
    public long DatabaseBytes() => FileBytes(DatabasePath) + FileBytes(DatabasePath + "-wal");

    public async ValueTask DisposeAsync()
    {
        if (Orchestrator is not null)
        {
            await Orchestrator.DisposeAsync();
        }

        foreach (var more in _more)
        {
            await more.DisposeAsync();
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
        foreach (var (key, value) in _store)
        {
            environment[key] = value;
        }

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
        Orchestrator.Count(ConflictMarker);
        if (_more.Count == 0 && _orchestrators > 1)
        {
            // Together: on a shared store, the schema is created once under its lock whoever comes first.
            _more.AddRange(Enumerable.Range(1, _orchestrators - 1).Select(_ => HostProcess.Start("SagaWorkflows.Orchestrator", environment, directory)));
            _more.ForEach(o => o.Count(ConflictMarker));
        }

        await WaitForConsumerAsync(QueueNames.WorkflowRuns, Orchestrator, cancellationToken, 1 + _more.Count);
    }

    private async Task StartWorkerAsync(CancellationToken cancellationToken)
    {
        Worker = HostProcess.Start("SagaWorkflows.Worker", CommonEnvironment(), directory);
        await WaitForConsumerAsync(QueueNames.Tool("echo"), Worker, cancellationToken);
    }

    private Dictionary<string, string> CommonEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__RabbitMq"] = broker.AmqpUri.ToString(),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__Console__FormatterName"] = "simple",
            // One line per optimistic-concurrency conflict, counted by Conflicts; silent while there is none.
            [ConflictLogLevel.Key] = ConflictLogLevel.Value,
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

    private async Task WaitForConsumerAsync(string queue, HostProcess host, CancellationToken cancellationToken, int consumers = 1)
    {
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException($"{host.Name} exited during startup:\n{host.Tail()}");
            }

            if (await broker.ConsumerCountAsync(queue, cancellationToken) is { } count && count >= consumers)
            {
                return;
            }

            // A separate process gives no readiness signal but its consumer appearing on the broker.
            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{host.Name} did not start consuming {queue} within {StartupTimeout.TotalSeconds} s:\n{host.Tail()}");
    }

    private static long FileBytes(string path) => new FileInfo(path) is { Exists: true } file ? file.Length : 0;
}
