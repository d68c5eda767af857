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
    /// How long a finished run (its row, state parts and outbox leftovers) is kept before retention deletes it.
    /// Zero or less: never deleted automatically (<c>sagawf purge</c> still works).
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often retention looks for finished runs to delete.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Runs deleted per transaction: small, so the saga's commits never wait long behind one.</summary>
    public int RetentionBatchSize { get; set; } = 200;

    /// <summary>The pause between two retention batches, leaving the store to the hot path.</summary>
    public TimeSpan RetentionBatchPause { get; set; } = TimeSpan.FromMilliseconds(50);
}
