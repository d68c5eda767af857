using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Bridge.Streaming;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting;
using SagaWorkflows.Hosting.Health;
using SagaWorkflows.Orchestration;
using SagaWorkflows.WorkerSdk;
using SagaWorkflows.WorkerSdk.Samples;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>
/// A bridge on Kestrel at a free 127.0.0.1 port, wired exactly as Program.cs wires it (the extension
/// methods), on the in-memory transport unless told otherwise, with its own SQLite file.
/// </summary>
public sealed class BridgeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConsumedMessages _consumed = new();
    private readonly bool _ownsDatabase;
    private bool _stopped;

    private BridgeServer(WebApplication app, Uri baseAddress, string databasePath, bool ownsDatabase)
    {
        _ownsDatabase = ownsDatabase;
        _app = app;
        BaseAddress = baseAddress;
        DatabasePath = databasePath;
        // A client that leaves a stream closes its connection at once, as a browser tab does, instead of
        // draining the never-ending response for up to two seconds to reuse the connection.
        Client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        app.Services.GetRequiredService<IBus>().ConnectConsumeObserver(_consumed);
    }

    public Uri BaseAddress { get; }

    /// <summary>With the engine: the inputs the <c>record</c> tool received (JSON text), in the order received.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Recorded { get; private init; } = new();
    public string DatabasePath { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;
    public BridgeEventHub Hub => Services.GetRequiredService<BridgeEventHub>();
    public BridgeEventStore Store => Services.GetRequiredService<BridgeEventStore>();
    public IBus Bus => Services.GetRequiredService<IBus>();

    /// <param name="settings">Configuration on top of the test defaults (in-memory transport, a fresh database).</param>
    /// <param name="databasePath">
    /// A database the caller owns (and deletes), to restart a bridge over the same store; without it the
    /// server uses a fresh one and deletes it when disposed.
    /// </param>
    /// <param name="definitions">With the engine: definitions the orchestrator knows by id.</param>
    /// <param name="urls">Where Kestrel listens; loopback on a free port unless a test needs otherwise.</param>
    /// <param name="withEngine">
    /// Also host the orchestrator and the sample worker's demo tools on the same in-memory bus (as the CLI's embedded
    /// demo does), so runs started through the bridge really run.
    /// </param>
    public static async Task<BridgeServer> StartAsync(IDictionary<string, string?>? settings = null, string? databasePath = null,
        string urls = "http://127.0.0.1:0", bool withEngine = false, Action<Orchestration.Definitions.WorkflowDefinitionRegistry>? definitions = null)
    {
        var ownsDatabase = databasePath is null;
        databasePath ??= TestPaths.NewDatabase();
        var configuration = new Dictionary<string, string?>
        {
            ["SagaWorkflows:Transport"] = "InMemory",
            ["ConnectionStrings:Bridge"] = $"Data Source={databasePath}",
            ["SagaWorkflows:Bridge:UnknownRunWait"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:MassTransit"] = "Information",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(urls);
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("SAGAWF_TEST_LOGS") == "1")
        {
            builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Debug);
        }

        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        // A test publishes right after start: the bridge's queue and its bindings must exist by then,
        // or the broker drops what it cannot route.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);

        builder.Services.AddSagaWorkflowsServiceDefaults(builder.Configuration, "sagawf-bridge", servesHttp: true);
        var bus = builder.Configuration.ReadBusOptions();
        var recorded = new System.Collections.Concurrent.ConcurrentQueue<string>();
        if (withEngine)
        {
            builder.Services.AddSagaWorkflowsOrchestrator(new OrchestratorOptions
            {
                ConnectionString = $"Data Source={databasePath}.workflows",
                DefinitionsPath = null,
                TimerPollInterval = TimeSpan.FromMilliseconds(100),
            }, bus, definitions);
            // 'record' keeps what it received, so a test can compare it with what the page shows as the step's input.
            builder.Services.AddSagaWorkflowsWorker(w => w.AddDemoTools().AddTool("record", (input, _) =>
            {
                recorded.Enqueue(input?.ToJsonString() ?? "null");
                return Task.FromResult(input?.DeepClone());
            }));
        }

        builder.Services.AddSagaWorkflowsBridge(builder.Configuration);
        builder.Services.AddSagaWorkflowsBus(bus, x => x.AddSagaWorkflowsBridgeConsumers());

        var app = builder.Build();
        app.MapSagaWorkflowsHealth();
        app.MapSagaWorkflowsBridge();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            if (ownsDatabase)
            {
                SqliteConnection.ClearAllPools();
                TestPaths.DeleteDatabase(databasePath);
                TestPaths.DeleteDatabase(databasePath + ".workflows");
            }

            throw;
        }

        var address = new Uri(app.Urls.Single().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return new BridgeServer(app, address, databasePath, ownsDatabase) { Recorded = recorded };
    }

    public Task PublishAsync(WorkflowLifecycleEvent lifecycleEvent) => Bus.Publish(lifecycleEvent);

    public async Task PublishAsync(IEnumerable<WorkflowLifecycleEvent> events)
    {
        foreach (var e in events)
        {
            await Bus.Publish(e);
        }
    }

    /// <summary>Waits until the bus has finished consuming this many lifecycle events in total.</summary>
    public Task WaitForConsumedAsync(int count, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => _consumed.Count<WorkflowLifecycleEvent>() >= count,
            $"{count} lifecycle events consumed (so far {_consumed.Count<WorkflowLifecycleEvent>()})", timeout);

    /// <summary>Receives <typeparamref name="T"/> on a temporary endpoint of this bridge's bus, as the orchestrator would.</summary>
    public async Task<MessageCapture<T>> CaptureAsync<T>() where T : class
    {
        var capture = new MessageCapture<T>();
        var handle = Bus.ConnectReceiveEndpoint("capture-" + Guid.NewGuid().ToString("N"),
            e => e.Handler<T>(context => capture.AddAsync(context.Message)));
        await handle.Ready;
        return capture;
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        Client.Dispose();
        // Pooled connections keep the file open; tests that restart over the same file need it closed.
        SqliteConnection.ClearAllPools();
        if (_ownsDatabase)
        {
            TestPaths.DeleteDatabase(DatabasePath);
            TestPaths.DeleteDatabase(DatabasePath + ".workflows");
        }
    }
}
