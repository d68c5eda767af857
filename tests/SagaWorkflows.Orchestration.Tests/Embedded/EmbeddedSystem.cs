using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting;
using SagaWorkflows.Orchestration;
using SagaWorkflows.Testing;
using SagaWorkflows.WorkerSdk;
using SagaWorkflows.WorkerSdk.Samples;

namespace SagaWorkflows.Orchestration.Tests.Embedded;

/// <summary>Orchestrator and worker in one process on the in-memory transport, as the demo runs them.</summary>
internal sealed class EmbeddedSystem : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly TempDirectory _directory;
    private readonly ConcurrentDictionary<Guid, ConcurrentQueue<WorkflowLifecycleEvent>> _events = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<IReadOnlyList<WorkflowLifecycleEvent>>> _terminal = new();

    private EmbeddedSystem(IHost host, TempDirectory directory)
    {
        _host = host;
        _directory = directory;
    }

    public static async Task<EmbeddedSystem> StartAsync(Action<SagaWorkflowsWorkerBuilder>? worker = null, Action<OrchestratorOptions>? orchestrator = null,
        Action<Definitions.WorkflowDefinitionRegistry>? definitions = null)
    {
        var directory = new TempDirectory("sagawf-embedded-");
        EmbeddedSystem? system = null;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var bus = new SagaWorkflowsBusOptions { Transport = SagaWorkflowsTransport.InMemory };
        var options = new OrchestratorOptions
        {
            ConnectionString = $"Data Source={directory.Combine("workflows.db")}",
            DefinitionsPath = null,
            TimerPollInterval = TimeSpan.FromMilliseconds(100),
        };
        orchestrator?.Invoke(options);
        builder.Services.AddSagaWorkflowsOrchestrator(options, bus, definitions);
        builder.Services.AddSagaWorkflowsWorker(w =>
        {
            w.AddDemoTools();
            worker?.Invoke(w);
        });
        builder.Services.AddSagaWorkflowsBus(bus, configureBus: (_, cfg) =>
            cfg.ReceiveEndpoint("test-observer", e => e.Handler<WorkflowLifecycleEvent>(c =>
            {
                system!.Record(c.Message);
                return Task.CompletedTask;
            })));
        var host = builder.Build();
        system = new EmbeddedSystem(host, directory);
        await host.StartAsync();
        return system;
    }

    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    public IServiceProvider Services => _host.Services;

    public string ConnectionString => $"Data Source={_directory.Combine("workflows.db")}";

    /// <summary>Starts a run without waiting for it; <see cref="WaitForEndAsync"/> then waits for its terminal event.</summary>
    public async Task<Guid> StartRunAsync(string definition)
    {
        var runId = NewId.NextGuid();
        _terminal.GetOrAdd(runId, _ => new TaskCompletionSource<IReadOnlyList<WorkflowLifecycleEvent>>(TaskCreationOptions.RunContinuationsAsynchronously));
        await Bus.Publish(new StartWorkflow { RunId = runId, Definition = definition });
        return runId;
    }

    public Task<IReadOnlyList<WorkflowLifecycleEvent>> WaitForEndAsync(Guid runId, TimeSpan timeout) =>
        _terminal.GetOrAdd(runId, _ => new TaskCompletionSource<IReadOnlyList<WorkflowLifecycleEvent>>(TaskCreationOptions.RunContinuationsAsynchronously))
            .Task.WaitAsync(timeout);

    /// <summary>Every run an event was seen of (runs the test did not start itself, e.g. a schedule's).</summary>
    public IReadOnlyCollection<Guid> SeenRuns => _events.Keys.ToList();

    /// <summary>The events of a run seen so far, in sequence order.</summary>
    public IReadOnlyList<WorkflowLifecycleEvent> EventsOf(Guid runId) =>
        _events.TryGetValue(runId, out var events) ? events.OrderBy(e => e.Sequence).ToList() : [];

    public T GetRequiredService<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public async Task<IReadOnlyList<WorkflowLifecycleEvent>> RunAsync(string definition, object? input = null, TimeSpan? timeout = null)
    {
        var runId = NewId.NextGuid();
        var done = _terminal.GetOrAdd(runId, _ => new TaskCompletionSource<IReadOnlyList<WorkflowLifecycleEvent>>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _host.Services.GetRequiredService<IBus>().Publish(new StartWorkflow
        {
            RunId = runId,
            Definition = definition,
            Input = input is null ? null : JsonSerializer.SerializeToElement(input),
        });
        return await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    private void Record(WorkflowLifecycleEvent e)
    {
        var events = _events.GetOrAdd(e.RunId, _ => new ConcurrentQueue<WorkflowLifecycleEvent>());
        events.Enqueue(e);
        if (LifecycleEventTypes.IsTerminal(e.Type))
        {
            var ordered = events.GroupBy(x => x.Sequence).Select(g => g.First()).OrderBy(x => x.Sequence).ToList();
            _terminal.GetOrAdd(e.RunId, _ => new TaskCompletionSource<IReadOnlyList<WorkflowLifecycleEvent>>(TaskCreationOptions.RunContinuationsAsynchronously))
                .TrySetResult(ordered);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _directory.Dispose();
    }
}
