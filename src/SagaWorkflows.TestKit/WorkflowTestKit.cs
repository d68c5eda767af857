using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Definitions;
using SagaWorkflows.Hosting;
using SagaWorkflows.Orchestration;
using SagaWorkflows.Orchestration.Definitions;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.TestKit.Scheduling;
using SagaWorkflows.WorkerSdk;

namespace SagaWorkflows.TestKit;

/// <summary>
/// Runs workflows in your test, in-process: the product's orchestrator (the run saga with its SQLite store in a
/// temporary folder) and your own tool classes (registered as in your worker) on MassTransit's in-memory transport,
/// on a <see cref="TestClock"/> that skips sleeps, retry delays and timeouts while the system is idle.
/// </summary>
/// <example>
/// <code>
/// await using var kit = await WorkflowTestKit.StartAsync(o => o
///     .ConfigureServices(s => s.AddSingleton&lt;Inventory&gt;())
///     .AddWorker(w => w.AddTool&lt;ReserveInventory&gt;().AddTool&lt;ReleaseInventory&gt;()));
/// var run = await kit.StartAsync(ShopOrder.Definition, new { orderId = "A-1", sku = "book", qty = 2 });
/// var output = await run.CompletedAsync();
/// run.ShouldHaveEvents("step-complete reserve", "workflow-complete");
/// </code>
/// </example>
public sealed class WorkflowTestKit : IAsyncDisposable
{
    /// <summary>The kit's own queue, receiving every lifecycle event.</summary>
    internal const string EventsQueue = "sagawf-testkit-events";

    private static readonly Uri RunsQueue = new("queue:" + QueueNames.WorkflowRuns);

    /// <summary>The warm-up's tool, hosted by every kit beside the user's.</summary>
    private const string WarmUpTool = "sagawf-testkit-warm-up";

    private static int s_warmedUp;

    private readonly IHost _host;
    private readonly ScheduledMessages _scheduled;
    private readonly BusActivity _activity;
    private readonly string? _ownedDirectory;
    private readonly string _storeConnectionString;
    private readonly ConcurrentDictionary<Guid, WorkflowTestRun> _runs = new();
    private readonly ConcurrentDictionary<Guid, WorkflowTestRun> _hiddenRuns = new();
    private readonly ConcurrentDictionary<Guid, byte> _hidden = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private WorkflowTestKit(IHost host, TestClock clock, ScheduledMessages scheduled, BusActivity activity, WorkflowTestKitOptions options, string? ownedDirectory,
        string storeConnectionString)
    {
        _storeConnectionString = storeConnectionString;
        _host = host;
        Clock = clock;
        _scheduled = scheduled;
        _activity = activity;
        Options = options;
        _ownedDirectory = ownedDirectory;
    }

    /// <summary>The orchestrator's clock: ahead of the machine's by whatever the kit skipped.</summary>
    public TestClock Clock { get; }

    /// <summary>The orchestrator's now.</summary>
    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>The kit's container: your services, the orchestrator's, the bus.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>The in-memory bus, to send or publish messages of your own.</summary>
    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    internal WorkflowTestKitOptions Options { get; }

    /// <summary>Every run the kit has heard of (the ones it started, and child runs), by RunId.</summary>
    public IReadOnlyDictionary<Guid, WorkflowTestRun> Runs => _runs;

    /// <summary>Starts the orchestrator and your worker in this process; dispose the kit to stop them.</summary>
    public static async Task<WorkflowTestKit> StartAsync(Action<WorkflowTestKitOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new WorkflowTestKitOptions();
        configure?.Invoke(options);
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(WorkflowTestKitOptions.Timeout)} must be positive (is {options.Timeout})", nameof(configure));
        }

        if (options.QuietPeriod < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(WorkflowTestKitOptions.QuietPeriod)} must not be negative (is {options.QuietPeriod})", nameof(configure));
        }

        foreach (var definition in options.Definitions)
        {
            Validate(definition, "a definition added with AddDefinition");
        }

        var owned = options.StoreDirectory is null ? CreateStoreDirectory() : null;
        var directory = options.StoreDirectory ?? owned!;
        Directory.CreateDirectory(directory);

        var store = $"Data Source={Path.Combine(directory, "workflows.db")}";
        var clock = new TestClock();
        var scheduled = new ScheduledMessages(clock);
        var activity = new BusActivity(EventsQueue) { Scheduled = scheduled };
        scheduled.Delivering = activity.Touch;

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging(logging =>
        {
            foreach (var configureLogging in options.Logging)
            {
                configureLogging(logging);
            }
        });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(clock);
        foreach (var configureServices in options.Services)
        {
            configureServices(builder.Services);
        }

        var bus = new SagaWorkflowsBusOptions { Transport = SagaWorkflowsTransport.InMemory };
        builder.Services.AddSagaWorkflowsMessageScheduler(new TestMessageScheduler(scheduled, clock));
        builder.Services.AddSagaWorkflowsOrchestrator(new OrchestratorOptions
        {
            ConnectionString = store,
            DefinitionsPath = null,
            // Finished runs stay for the test to look at, however far the clock is moved.
            Retention = TimeSpan.Zero,
        }, bus, registry => options.Definitions.ForEach(registry.Add));
        builder.Services.AddSagaWorkflowsWorker(w =>
        {
            w.AddTool(WarmUpTool, (input, _) => Task.FromResult(input));
            options.Workers.ForEach(configureWorker => configureWorker(w));
        });
        builder.Services.AddReceiveObserver(_ => activity);
        builder.Services.AddSendObserver(_ => activity);
        builder.Services.AddPublishObserver(_ => activity);
        builder.Services.AddReceiveEndpointObserver(_ => activity);

        WorkflowTestKit? kit = null;
        builder.Services.AddSagaWorkflowsBus(bus, configureBus: (_, cfg) =>
            cfg.ReceiveEndpoint(EventsQueue, e => e.Handler<WorkflowLifecycleEvent>(context =>
            {
                kit!.OnEvent(context.Message);
                return Task.CompletedTask;
            })));

        var host = builder.Build();
        kit = new WorkflowTestKit(host, clock, scheduled, activity, options, owned, store);
        scheduled.Logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger<WorkflowTestKit>();
        activity.Outbox = host.Services.GetService<SagaOutboxDelivery>();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            scheduled.Start(kit.Bus);
            if (Interlocked.Exchange(ref s_warmedUp, 1) == 0)
            {
                await kit.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await kit.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return kit;
    }

    /// <summary>
    /// The first kit of a process runs a small workflow (a tool step, a skipped sleep) before handing over: the saga, the
    /// store, the worker and the clock are compiled and warm, so a test's first run takes the time its later runs do.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var definition = new JsonObject
        {
            ["id"] = WarmUpTool,
            ["version"] = 1,
            ["steps"] = new JsonArray(
                new JsonObject { ["id"] = "call", ["type"] = "tool", ["tool"] = WarmUpTool },
                new JsonObject { ["id"] = "nap", ["type"] = "sleep", ["duration"] = "PT1M" }),
        };
        var runId = NewId.NextGuid();
        _hidden[runId] = 0;
        var run = await SendStartAsync(new StartWorkflow { RunId = runId, Definition = definition.ToJsonString(), Input = ToElement(null) }, WarmUpTool,
            cancellationToken).ConfigureAwait(false);
        await run.CompletedAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitUntilIdleAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a run of a definition built in C#.</summary>
    public Task<WorkflowTestRun> StartAsync(Workflow definition, object? input = null, Guid? runId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return StartAsync(definition.ToJson(), input, runId, cancellationToken);
    }

    /// <summary>
    /// Starts a run of a definition given as JSON text (sent inline, as <c>StartWorkflow.Definition</c>). An invalid
    /// definition throws at once with every problem and its JSON path. <paramref name="input"/> is serialized with
    /// System.Text.Json (a <see cref="JsonElement"/> or <see cref="System.Text.Json.Nodes.JsonNode"/> as it is).
    /// </summary>
    public async Task<WorkflowTestRun> StartAsync(string definitionJson, object? input = null, Guid? runId = null, CancellationToken cancellationToken = default)
    {
        var workflowId = Validate(definitionJson, "the definition");
        return await SendStartAsync(new StartWorkflow { RunId = runId ?? NewId.NextGuid(), Definition = definitionJson, Input = ToElement(input) },
            workflowId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a run of a definition file (a designer's JSON).</summary>
    public Task<WorkflowTestRun> StartFileAsync(string path, object? input = null, Guid? runId = null, CancellationToken cancellationToken = default) =>
        StartAsync(ReadDefinitionFile(path), input, runId, cancellationToken);

    /// <summary>Starts a run of a definition added with <see cref="WorkflowTestKitOptions.AddDefinition(string)"/>, by id (latest version unless given).</summary>
    public async Task<WorkflowTestRun> StartRegisteredAsync(string workflowId, object? input = null, int? version = null, Guid? runId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        var registry = Services.GetRequiredService<IWorkflowDefinitionRegistry>();
        if (registry.Find(workflowId, version) is null)
        {
            var known = Services.GetRequiredService<WorkflowDefinitionRegistry>().List();
            throw new WorkflowTestException(
                $"No definition '{workflowId}'{(version is { } v ? $" version {v}" : "")} was added to the kit; it knows: "
                + (known.Count == 0 ? "none (add them with AddDefinition)" : string.Join(", ", known.Select(k => $"{k.Id} v{k.Version}"))));
        }

        return await SendStartAsync(new StartWorkflow { RunId = runId ?? NewId.NextGuid(), WorkflowId = workflowId, Version = version, Input = ToElement(input) },
            workflowId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The run of <paramref name="runId"/>, started by the kit or heard of through its events.</summary>
    public WorkflowTestRun Run(Guid runId) => _runs.GetOrAdd(runId, id => new WorkflowTestRun(this, id, ""));

    /// <summary>Sends <c>SignalWorkflow</c>: resumes a <c>wait</c> step waiting for <paramref name="signal"/>.</summary>
    public Task SignalAsync(Guid runId, string signal, object? payload = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signal);
        return SendToRunsAsync(new SignalWorkflow { RunId = runId, Signal = signal, Payload = ToElement(payload) }, cancellationToken);
    }

    /// <summary>Sends <c>CancelWorkflow</c>: the run stops, then compensates what completed.</summary>
    public Task CancelAsync(Guid runId, string reason = "cancelled by the test", CancellationToken cancellationToken = default) =>
        SendToRunsAsync(new CancelWorkflow { RunId = runId, Reason = reason }, cancellationToken);

    /// <summary>Sends <c>SuspendWorkflow</c>.</summary>
    public Task SuspendAsync(Guid runId, CancellationToken cancellationToken = default) =>
        SendToRunsAsync(new SuspendWorkflow { RunId = runId }, cancellationToken);

    /// <summary>Sends <c>ResumeWorkflow</c>.</summary>
    public Task ResumeAsync(Guid runId, CancellationToken cancellationToken = default) =>
        SendToRunsAsync(new ResumeWorkflow { RunId = runId }, cancellationToken);

    /// <summary>
    /// Moves the clock <paramref name="by"/> forward: every timer falling due on the way fires in its turn (a retry, the
    /// step it starts, the next retry...), each once the system is idle again, and the call returns when all of it is done.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        var target = Clock.GetUtcNow() + by;
        await WaitUntilIdleAsync(cancellationToken).ConfigureAwait(false);
        while (_scheduled.NextDue is { } next && next <= target)
        {
            Clock.MoveTo(next);
            await _scheduled.DeliverDueAsync(cancellationToken).ConfigureAwait(false);
            await WaitUntilIdleAsync(cancellationToken).ConfigureAwait(false);
        }

        Clock.MoveTo(target);
        _scheduled.ClockMoved();
        await _scheduled.DeliverDueAsync(cancellationToken).ConfigureAwait(false);
        await WaitUntilIdleAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until no message is being handled or on its way (timers may be pending); fails after <see cref="WorkflowTestKitOptions.Timeout"/>.</summary>
    public async Task WaitUntilIdleAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        while (!_activity.IsQuiet(Options.QuietPeriod))
        {
            if (Stopwatch.GetElapsedTime(started) > Options.Timeout)
            {
                throw new WorkflowTestException($"The system was still busy after {Options.Timeout} (real time): {_activity.Describe()}.{TimeState()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Polls <paramref name="probe"/> until it answers, skipping time when allowed and the system is idle; fails after
    /// the timeout (real time) with <paramref name="failure"/>'s text.
    /// </summary>
    internal async Task<T> WaitAsync<T>(Func<T?> probe, Func<TimeSpan, string> failure, TimeSpan? timeout, CancellationToken cancellationToken) where T : class
    {
        var limit = timeout ?? Options.Timeout;
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (probe() is { } found)
            {
                return found;
            }

            if (Options.SkipTime && _activity.IsQuiet(Options.QuietPeriod) && _scheduled.NextDue is { } next)
            {
                // Nothing left to do but wait for time: it jumps to the next timer.
                Clock.MoveTo(next);
                await _scheduled.DeliverDueAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var left = limit - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw new WorkflowTestException(failure(limit) + TimeState());
            }

            await Task.WhenAny(changed, Task.Delay(left < TimeSpan.FromMilliseconds(10) ? left : TimeSpan.FromMilliseconds(10), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The clock and the pending timers, for failure messages.</summary>
    internal string TimeState()
    {
        var pending = _scheduled.Describe();
        return $"\nClock: {Now:O} ({Clock.Offset} ahead of the machine's), time skipping {(Options.SkipTime ? "on" : "off")}; "
            + (pending.Count == 0 ? "no timer pending." : $"timers pending:\n  {string.Join("\n  ", pending)}")
            + $"\nActivity: {_activity.Describe()}.";
    }

    /// <summary>In memory where the system offers a memory file system: every commit of the run store skips the disk.</summary>
    private static string CreateStoreDirectory()
    {
        const string memory = "/dev/shm";
        if (OperatingSystem.IsLinux() && Directory.Exists(memory))
        {
            try
            {
                return Directory.CreateDirectory(Path.Combine(memory, "sagawf-testkit-" + Guid.NewGuid().ToString("N"))).FullName;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not writable here: the temporary folder will do.
            }
        }

        return Directory.CreateTempSubdirectory("sagawf-testkit-").FullName;
    }

    internal static string ReadDefinitionFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The definition file {full} does not exist.", full);
        }

        return File.ReadAllText(full);
    }

    private static string Validate(string definitionJson, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(definitionJson);
        var parsed = WorkflowDefinitionParser.Parse(definitionJson);
        if (!parsed.IsValid)
        {
            throw new WorkflowTestException($"{char.ToUpperInvariant(what[0])}{what[1..]} is not a valid workflow definition:\n  "
                + string.Join("\n  ", parsed.Errors.Select(e => e.ToString())));
        }

        return parsed.Definition!.Id;
    }

    private static JsonElement ToElement(object? value) => value switch
    {
        null => JsonSerializer.SerializeToElement(new Dictionary<string, object>()),
        JsonElement element => element,
        _ => JsonSerializer.SerializeToElement(value, value.GetType()),
    };

    private async Task<WorkflowTestRun> SendStartAsync(StartWorkflow start, string workflowId, CancellationToken cancellationToken)
    {
        var run = RunsFor(start.RunId).GetOrAdd(start.RunId, id => new WorkflowTestRun(this, id, workflowId));
        await SendToRunsAsync(start, cancellationToken).ConfigureAwait(false);
        return run;
    }

    private async Task SendToRunsAsync<T>(T command, CancellationToken cancellationToken) where T : class
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _activity.Touch();
        var endpoint = await Bus.GetSendEndpoint(RunsQueue).ConfigureAwait(false);
        await endpoint.Send(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The warm-up's run is the kit's own: not among <see cref="Runs"/>.</summary>
    private ConcurrentDictionary<Guid, WorkflowTestRun> RunsFor(Guid runId) => _hidden.ContainsKey(runId) ? _hiddenRuns : _runs;

    private void OnEvent(WorkflowLifecycleEvent lifecycleEvent)
    {
        RunsFor(lifecycleEvent.RunId).GetOrAdd(lifecycleEvent.RunId, id => new WorkflowTestRun(this, id, lifecycleEvent.WorkflowId)).Apply(lifecycleEvent);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Stops the bus and the orchestrator and deletes the temporary store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _scheduled.DisposeAsync().ConfigureAwait(false);
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try
            {
                await _host.StopAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping took too long; what is left is disposed below.
            }
        }

        _host.Dispose();
        using (var store = new SqliteConnection(_storeConnectionString))
        {
            // Pooled connections keep the file open (which Windows would not let us delete).
            SqliteConnection.ClearPool(store);
        }

        if (_ownedDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownedDirectory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A temporary folder left behind harms nothing.
            }
        }
    }

    internal static string Format(DateTimeOffset time) => time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
