namespace SagaWorkflows.Orchestration;

/// <summary>Bound from <c>SagaWorkflows:Orchestrator</c>; the store from <c>ConnectionStrings:Workflows</c>.</summary>
public sealed class OrchestratorOptions
{
    public const string DefaultConnectionString = "Data Source=sagaworkflows.db";

    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>The durable scheduler's Quartz store; by default the workflow store's file.</summary>
    public string? SchedulerConnectionString { get; set; }

    /// <summary>A folder of definition files the registry loads at startup.</summary>
    public string? DefinitionsPath { get; set; } = "workflows";

    /// <summary>How often due timers (timeouts, sleeps, retries after a lost attempt) are looked for.</summary>
    public TimeSpan TimerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Partitions serialising one run's messages inside this process.</summary>
    public int PartitionCount { get; set; } = 32;

    /// <summary>
    /// The bridge's queue, declared and bound by the orchestrator too, so lifecycle events published
    /// before the bridge first starts wait for it instead of being dropped as unroutable. Empty: none.
    /// </summary>
    public string BridgeQueue { get; set; } = Contracts.QueueNames.Bridge;

    /// <summary>Saga messages processed at once by this process.</summary>
    public int ConcurrentMessageLimit { get; set; } = 32;

    /// <summary>
    /// Runs whose last committed row this process keeps in memory, so their next message does not read it back
    /// (a row another process changed meanwhile is detected by its version and read again). 0: always read.
    /// </summary>
    public int CachedRuns { get; set; } = Persistence.SagaRepositoryRegistrationExtensions.DefaultCachedInstances;

    /// <summary>
    /// How many times a run's message may fail (for any reason but the store) before it is moved to the
    /// error queue and its run fails with a <c>workflow-error</c>.
    /// </summary>
    public int PoisonMessageAttempts { get; set; } = 3;

    /// <summary>
    /// How many times the supervisor wakes a run for the same due timer before it gives up on it and logs an
    /// error (a wake that keeps failing also fails the run, through <see cref="PoisonMessageAttempts"/>).
    /// </summary>
    public int MaxWakesPerTimer { get; set; } = 5;

    /// <summary>The definition limits, from <c>SagaWorkflows:Limits</c>; <c>sagawf validate</c> reads the same section.</summary>
    public Core.Definitions.WorkflowLimits Limits { get; set; } = new();
}
