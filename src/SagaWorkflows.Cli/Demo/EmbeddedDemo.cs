using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
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
    private readonly ConcurrentDictionary<Guid, bool> _redriven = new();
    private readonly ConcurrentDictionary<string, Channel<Guid>> _scheduled = new(StringComparer.Ordinal);
    private readonly EventRenderer _renderer;
    private readonly IAnsiConsole _console;
    private readonly DemoOutages _outages;

    private EmbeddedDemo(WebApplication app, string directory, EventRenderer renderer, IAnsiConsole console, DemoOutages outages)
    {
        _app = app;
        _directory = directory;
        _renderer = renderer;
        _console = console;
        _outages = outages;
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
        }, bus, registry =>
        {
            // A schedule names its workflow by id: the orchestrator must know the definitions the demo schedules.
            foreach (var sample in DemoScenario.All.Where(s => s.Schedule is not null).Select(s => s.Definition).Distinct(StringComparer.Ordinal))
            {
                registry.Add(sample);
            }
        });
        var outages = new DemoOutages();
        builder.Services.AddSagaWorkflowsWorker(w => w.AddDemoTools(outages).AddChatClientsFromConfiguration(builder.Configuration));
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
        demo = new EmbeddedDemo(app, directory, renderer, console, outages);
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        demo.PageAddress = addresses?.FirstOrDefault() is { } address ? new Uri(address) : null;
        return demo;
    }

    /// <summary>Runs the scenario: its one run (answering its wait, redriving it after its outage), or its schedule's runs.</summary>
    public Task<DemoOutcome> RunAsync(DemoScenario scenario, TimeSpan timeout, CancellationToken cancellationToken) =>
        scenario.Schedule is { } schedule
            ? RunScheduleAsync(scenario, schedule, timeout, cancellationToken)
            : RunOnceAsync(scenario, timeout, cancellationToken);

    /// <summary>Starts the scenario's run and waits for its terminal event; a run failed by an outage is redriven once the outage ends.</summary>
    private async Task<DemoOutcome> RunOnceAsync(DemoScenario scenario, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var runId = NewId.NextGuid();
        var done = Expect(runId).Task;
        if (scenario.AutoSignal is { } signal)
        {
            _autoSignals[runId] = signal;
        }

        var outage = scenario.Outage;
        if (outage is not null)
        {
            _outages.Begin(outage);
            _console.MarkupLine($"[grey]          (the demo starts an outage: the[/] [yellow]{Markup.Escape(outage)}[/] [grey]service is down, so the downstream tool fails)[/]");
        }

        try
        {
            await Bus.Publish(new StartWorkflow
            {
                RunId = runId,
                Definition = scenario.Definition,
                Input = scenario.Input,
            }, cancellationToken);
            var terminal = await done.WaitAsync(timeout, cancellationToken);
            if (outage is not null && IsRedrivable(terminal))
            {
                terminal = await RedriveAsync(terminal, outage, timeout, cancellationToken);
            }

            return new DemoOutcome([terminal], _redriven.Keys.ToHashSet());
        }
        finally
        {
            if (outage is not null)
            {
                _outages.End(outage);
            }
        }
    }

    /// <summary>Plays the operator: the cause is fixed (the outage ends), then the failed run is redriven, as <c>sagawf redrive</c> asks.</summary>
    private async Task<WorkflowLifecycleEvent> RedriveAsync(WorkflowLifecycleEvent failure, string service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _outages.End(service);
        _console.MarkupLine($"[grey]          (the demo plays the operator: the[/] [yellow]{Markup.Escape(service)}[/] [grey]outage is over; redrive run {failure.RunId})[/]");
        var done = Expect(failure.RunId).Task;
        await Bus.Publish(new RedriveWorkflow { RunId = failure.RunId, AfterSequence = failure.Sequence }, cancellationToken);
        return await done.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>
    /// Adds the scenario's schedule (<c>AddSchedule</c>, as <c>sagawf schedule add</c> sends it), waits until it has started
    /// its runs, removes it so it starts no more, then waits for those runs to end.
    /// </summary>
    private async Task<DemoOutcome> RunScheduleAsync(DemoScenario scenario, DemoSchedule schedule, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var starts = Channel.CreateUnbounded<Guid>();
        _scheduled[schedule.Id] = starts;
        try
        {
            var workflowId = WorkflowIdOf(scenario.Definition);
            var added = await Bus.CreateRequestClient<AddSchedule>().GetResponse<ScheduleAdded, ScheduleRefused>(new AddSchedule
            {
                Id = schedule.Id,
                WorkflowId = workflowId,
                Input = scenario.Input,
                Interval = schedule.Interval,
            }, cancellationToken);
            var next = added.Message switch
            {
                ScheduleAdded stored => stored.Schedule.NextFireTime,
                ScheduleRefused refused => throw new InvalidOperationException(
                    $"the orchestrator refused the demo's schedule {schedule.Id}: {string.Join("; ", refused.Problems)}"),
                var other => throw new InvalidOperationException($"unexpected answer {other.GetType().Name}"),
            };
            _console.MarkupLine($"[green]✔ schedule {Markup.Escape(schedule.Id)} added[/] [grey]· {Markup.Escape(workflowId)} every {Markup.Escape(schedule.Interval)}" +
                $"{(next is { } at ? $" · first fire {Time(at)} UTC" : "")} · it starts {schedule.Runs} runs, then the demo removes it[/]");

            var runs = new List<Guid>();
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(timeout);
                try
                {
                    while (runs.Count < schedule.Runs)
                    {
                        runs.Add(await starts.Reader.ReadAsync(deadline.Token));
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"schedule {schedule.Id} started {runs.Count} of {schedule.Runs} runs within {timeout.TotalSeconds:0} s");
                }
            }

            _scheduled.TryRemove(schedule.Id, out _);
            var removed = await Bus.CreateRequestClient<RemoveSchedule>().GetResponse<ScheduleRemoved, ScheduleRefused>(new RemoveSchedule { Id = schedule.Id }, cancellationToken);
            if (removed.Message is ScheduleRefused notRemoved)
            {
                throw new InvalidOperationException($"the orchestrator did not remove the demo's schedule {schedule.Id}: {string.Join("; ", notRemoved.Problems)}");
            }

            var terminals = new List<WorkflowLifecycleEvent>();
            foreach (var runId in runs)
            {
                terminals.Add(await _terminal[runId].Task.WaitAsync(timeout, cancellationToken));
            }

            // Removed as soon as the last run started, so no other starts; said once the runs have ended, not amid their events.
            _console.MarkupLine($"[green]✔ schedule {Markup.Escape(schedule.Id)} removed[/] [grey]· as soon as it had started {runs.Count} runs, which went on to their end; no more start[/]");

            return new DemoOutcome(terminals, _redriven.Keys.ToHashSet());
        }
        finally
        {
            _scheduled.TryRemove(schedule.Id, out _);
        }
    }

    private IBus Bus => _app.Services.GetRequiredService<IBus>();

    /// <summary>
    /// The run's next terminal event, from now on: call it before what makes the run go (its start, its redrive), so a
    /// redriven run's last terminal event is awaited, not the failure it had before.
    /// </summary>
    private TaskCompletionSource<WorkflowLifecycleEvent> Expect(Guid runId)
    {
        var next = new TaskCompletionSource<WorkflowLifecycleEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        _terminal[runId] = next;
        return next;
    }

    private static bool IsRedrivable(WorkflowLifecycleEvent terminal) =>
        terminal.Type == LifecycleEventTypes.WorkflowError
        && terminal.Data is { ValueKind: JsonValueKind.Object } data
        && data.TryGetProperty("redrivable", out var redrivable) && redrivable.ValueKind == JsonValueKind.True;

    private static string WorkflowIdOf(string definition)
    {
        using var document = JsonDocument.Parse(definition);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The in-memory transport delivers concurrently: the renderer hands back a run's events in Sequence order, once each.</summary>
    private void OnEvent(WorkflowLifecycleEvent received)
    {
        foreach (var e in _renderer.Render(received))
        {
            if (e.Type == LifecycleEventTypes.WorkflowStart && ScheduleOf(e) is { } schedule && _scheduled.TryGetValue(schedule, out var starts))
            {
                // Its terminal event comes after its start: awaited from here on, even if it ends before the demo asks.
                Expect(e.RunId);
                starts.Writer.TryWrite(e.RunId);
            }

            if (e.Type == LifecycleEventTypes.WorkflowRedriven)
            {
                _redriven[e.RunId] = true;
            }

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

    private static string? ScheduleOf(WorkflowLifecycleEvent start) =>
        start.Data is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty("schedule", out var schedule)
            && schedule.ValueKind == JsonValueKind.Object && schedule.TryGetProperty("id", out var id)
            ? id.GetString()
            : null;

    /// <summary>Plays the human a moment later, so the wait is visible before it is answered.</summary>
    private async Task SendSignalAsync(Guid runId, string signal, object payload)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        _console.MarkupLine($"[grey]          (the demo plays the approver: signal[/] [yellow]{Markup.Escape(signal)}[/][grey])[/]");
        await Bus.Publish(new SignalWorkflow
        {
            RunId = runId,
            Signal = signal,
            Payload = JsonSerializer.SerializeToElement(payload),
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
