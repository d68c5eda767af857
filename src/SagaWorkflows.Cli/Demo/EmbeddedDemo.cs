using System.Collections.Concurrent;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Bridge;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting;
using SagaWorkflows.Orchestration;
using SagaWorkflows.WorkerSdk;
using SagaWorkflows.WorkerSdk.Ai;
using SagaWorkflows.WorkerSdk.Samples;
using Spectre.Console;

namespace SagaWorkflows.Cli.Demo;

/// <summary>
/// Orchestrator, sample worker and bridge in this one process, on MassTransit's in-memory transport
/// with SQLite in a temporary folder: the whole product, with nothing installed but the .NET SDK.
/// </summary>
internal sealed class EmbeddedDemo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<WorkflowLifecycleEvent>> _terminal = new();
    private readonly ConcurrentDictionary<Guid, (string Signal, object Payload)> _autoSignals = new();
    private readonly EventRenderer _renderer;
    private readonly IAnsiConsole _console;

    private EmbeddedDemo(WebApplication app, string directory, EventRenderer renderer, IAnsiConsole console)
    {
        _app = app;
        _directory = directory;
        _renderer = renderer;
        _console = console;
    }

    public Uri? PageAddress { get; private set; }

    public static async Task<EmbeddedDemo> StartAsync(EventRenderer renderer, IAnsiConsole console, int? bridgePort, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "sagawf-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Bridge"] = $"Data Source={Path.Combine(directory, "bridge.db")}",
        });
        builder.WebHost.UseUrls(bridgePort is { } port ? $"http://127.0.0.1:{port}" : "http://127.0.0.1:0");

        var bus = new SagaWorkflowsBusOptions { Transport = SagaWorkflowsTransport.InMemory };
        builder.Services.AddSagaWorkflowsOrchestrator(new OrchestratorOptions
        {
            ConnectionString = $"Data Source={Path.Combine(directory, "workflows.db")}",
            DefinitionsPath = null,
            TimerPollInterval = TimeSpan.FromMilliseconds(200),
        }, bus);
        builder.Services.AddSagaWorkflowsWorker(w => w.AddDemoTools().AddChatClientsFromConfiguration(builder.Configuration));
        builder.Services.AddSagaWorkflowsBridge(builder.Configuration);

        EmbeddedDemo? demo = null;
        builder.Services.AddSagaWorkflowsBus(bus, x => x.AddSagaWorkflowsBridgeConsumers(), (_, cfg) =>
            cfg.ReceiveEndpoint("sagawf-demo-console", e =>
            {
                // One at a time, so a streamed step's progress is drawn in the order it was published.
                e.ConcurrentMessageLimit = 1;
                e.Handler<WorkflowLifecycleEvent>(c =>
                {
                    demo!.OnEvent(c.Message);
                    return Task.CompletedTask;
                });
                e.Handler<StepProgress>(c =>
                {
                    demo!._renderer.RenderProgress(c.Message);
                    return Task.CompletedTask;
                });
            }));

        var app = builder.Build();
        app.MapSagaWorkflowsBridge();
        demo = new EmbeddedDemo(app, directory, renderer, console);
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        demo.PageAddress = addresses?.FirstOrDefault() is { } address ? new Uri(address) : null;
        return demo;
    }

    /// <summary>Starts the scenario's run and waits for its terminal event, answering its wait if it has one.</summary>
    public async Task<WorkflowLifecycleEvent> RunAsync(DemoScenario scenario, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var runId = NewId.NextGuid();
        var done = _terminal.GetOrAdd(runId, _ => new TaskCompletionSource<WorkflowLifecycleEvent>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (scenario.AutoSignal is { } signal)
        {
            _autoSignals[runId] = signal;
        }

        await _app.Services.GetRequiredService<IBus>().Publish(new StartWorkflow
        {
            RunId = runId,
            Definition = scenario.Definition,
            Input = scenario.Input,
        }, cancellationToken);
        return await done.Task.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>The in-memory transport delivers concurrently: the renderer hands back a run's events in Sequence order, once each.</summary>
    private void OnEvent(WorkflowLifecycleEvent received)
    {
        foreach (var e in _renderer.Render(received))
        {
            if (e.Type == LifecycleEventTypes.StepSuspended && _autoSignals.TryRemove(e.RunId, out var signal))
            {
                _ = SendSignalAsync(e.RunId, signal.Signal, signal.Payload);
            }

            if (LifecycleEventTypes.IsTerminal(e.Type) && _terminal.TryGetValue(e.RunId, out var done))
            {
                done.TrySetResult(e);
            }
        }
    }

    /// <summary>Plays the human a moment later, so the wait is visible before it is answered.</summary>
    private async Task SendSignalAsync(Guid runId, string signal, object payload)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        _console.MarkupLine($"[grey]          (the demo plays the approver: signal[/] [yellow]{Markup.Escape(signal)}[/][grey])[/]");
        await _app.Services.GetRequiredService<IBus>().Publish(new SignalWorkflow
        {
            RunId = runId,
            Signal = signal,
            Payload = System.Text.Json.JsonSerializer.SerializeToElement(payload),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind harms nothing.
        }
    }
}
