using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Definitions;
using SagaWorkflows.WorkerSdk;

namespace SagaWorkflows.TestKit;

/// <summary>What a <see cref="WorkflowTestKit"/> hosts: your tools, your services, the definitions it knows by id, and how it treats time.</summary>
public sealed class WorkflowTestKitOptions
{
    internal List<Action<SagaWorkflowsWorkerBuilder>> Workers { get; } = [];
    internal List<Action<IServiceCollection>> Services { get; } = [];
    internal List<Action<ILoggingBuilder>> Logging { get; } = [];
    internal List<string> Definitions { get; } = [];

    /// <summary>
    /// True (default): while a test waits for something of a run (<see cref="WorkflowTestRun.CompletedAsync"/>,
    /// <see cref="WorkflowTestRun.WaitForEventAsync(string, string?, TimeSpan?, CancellationToken)"/>) and the system has
    /// nothing else to do, the clock jumps to the next timer — a one-hour sleep, a retry's delay or a wait's timeout
    /// takes no time. False: the clock moves only with <see cref="WorkflowTestKit.AdvanceAsync"/> (and as real time passes).
    /// </summary>
    public bool SkipTime { get; set; } = true;

    /// <summary>How long (real time) a wait of the kit lasts before it fails, saying what it was waiting for. Default 30 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the system must have been without any message activity before the kit counts it idle and moves the clock.
    /// Default 10 ms (messages handled, on their way or leaving the outbox are tracked, so this only covers what the kit
    /// cannot see); raise it if a tool of yours hands work to a background task that later sends a message.
    /// </summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The folder for the run store's SQLite files. Default: a new folder in memory (<c>/dev/shm</c>) where the system
    /// has one, else in the temporary folder; deleted with the kit.
    /// </summary>
    public string? StoreDirectory { get; set; }

    /// <summary>
    /// Your worker, exactly as in your service's <c>AddSagaWorkflowsWorker(w => ...)</c>: tool classes, delegates,
    /// chat clients. May be called several times.
    /// </summary>
    public WorkflowTestKitOptions AddWorker(Action<SagaWorkflowsWorkerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Workers.Add(configure);
        return this;
    }

    /// <summary>Services your tools take in their constructors (or fakes of them).</summary>
    public WorkflowTestKitOptions ConfigureServices(Action<IServiceCollection> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Add(configure);
        return this;
    }

    /// <summary>Where the product's logs go (none by default): for example your test framework's output.</summary>
    public WorkflowTestKitOptions ConfigureLogging(Action<ILoggingBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Logging.Add(configure);
        return this;
    }

    /// <summary>A definition the orchestrator knows by id, for <see cref="WorkflowTestKit.StartRegisteredAsync"/> (and <c>workflow</c> steps).</summary>
    public WorkflowTestKitOptions AddDefinition(string definitionJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(definitionJson);
        Definitions.Add(definitionJson);
        return this;
    }

    /// <summary>A definition built in C#, known to the orchestrator by id.</summary>
    public WorkflowTestKitOptions AddDefinition(Workflow definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Definitions.Add(definition.ToJson());
        return this;
    }

    /// <summary>A definition file (a designer's JSON), known to the orchestrator by id.</summary>
    public WorkflowTestKitOptions AddDefinitionFile(string path) => AddDefinition(WorkflowTestKit.ReadDefinitionFile(path));
}
