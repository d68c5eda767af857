using System.ComponentModel.DataAnnotations;
using SagaWorkflows.Hosting;

namespace SagaWorkflows.Orchestration;

/// <summary>Bound from <c>SagaWorkflows:Orchestrator</c>; the store from <c>ConnectionStrings:Workflows</c>.</summary>
public sealed class OrchestratorOptions : IValidatableObject
{
    public const string SectionName = "SagaWorkflows:Orchestrator";
    public const string DefaultConnectionString = "Data Source=sagaworkflows.db";

    /// <summary>From <c>ConnectionStrings:Workflows</c>: the saga store.</summary>
    [ConfigurationKey("ConnectionStrings:Workflows", Secret = true)]
    [Required(AllowEmptyStrings = false, ErrorMessage = "must name the workflow store")]
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>The durable scheduler's Quartz store; by default the workflow store's file.</summary>
    [ConfigurationKey(SectionName + ":SchedulerConnectionString", Secret = true)]
    public string? SchedulerConnectionString { get; set; }

    /// <summary>A folder of definition files the registry loads at startup (relative to the working directory).</summary>
    public string? DefinitionsPath { get; set; } = "workflows";

    /// <summary>How often due timers (timeouts, sleeps, retries after a lost attempt) are looked for.</summary>
    public TimeSpan TimerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Partitions serialising one run's messages inside this process (0: none).</summary>
    [Range(0, 4096, ErrorMessage = "must be between {1} and {2}")]
    public int PartitionCount { get; set; } = 32;

    /// <summary>
    /// The bridge's queue, declared and bound by the orchestrator too, so lifecycle events published
    /// before the bridge first starts wait for it instead of being dropped as unroutable. Empty: none.
    /// </summary>
    public string BridgeQueue { get; set; } = Contracts.QueueNames.Bridge;

    /// <summary>Saga messages processed at once by this process.</summary>
    [Range(1, 10_000, ErrorMessage = "must be between {1} and {2}")]
    public int ConcurrentMessageLimit { get; set; } = 32;

    /// <summary>
    /// Runs whose last committed row this process keeps in memory, so their next message does not read it back
    /// (a row another process changed meanwhile is detected by its version and read again). 0: always read.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "must be 0 or more")]
    public int CachedRuns { get; set; } = Persistence.SagaRepositoryRegistrationExtensions.DefaultCachedInstances;

    /// <summary>
    /// How many times a run's message may fail (for any reason but the store) before it is moved to the
    /// error queue and its run fails with a <c>workflow-error</c>.
    /// </summary>
    [Range(1, 100, ErrorMessage = "must be between 1 and 100")]
    public int PoisonMessageAttempts { get; set; } = 3;

    /// <summary>
    /// How many times the supervisor wakes a run for the same due timer before it gives up on it and logs an
    /// error (a wake that keeps failing also fails the run, through <see cref="PoisonMessageAttempts"/>).
    /// </summary>
    [Range(1, 1000, ErrorMessage = "must be between 1 and 1000")]
    public int MaxWakesPerTimer { get; set; } = 5;

    /// <summary>The definition limits, from <c>SagaWorkflows:Limits</c> (<c>sagawf validate</c> reads the same settings).</summary>
    [SagaWorkflows.Hosting.ConfigurationKey(Core.Definitions.WorkflowLimits.SectionName)]
    public Core.Definitions.WorkflowLimits Limits { get; set; } = new();

    /// <summary>
    /// How long a finished run (its row, state parts and outbox leftovers) is kept before retention deletes it.
    /// Zero or less: never deleted automatically (<c>sagawf purge</c> still works).
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often retention looks for finished runs to delete.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Runs deleted per transaction: small, so the saga's commits never wait long behind one.</summary>
    [Range(1, 100_000, ErrorMessage = "must be between {1} and {2}")]
    public int RetentionBatchSize { get; set; } = 200;

    /// <summary>The pause between two retention batches, leaving the store to the hot path.</summary>
    public TimeSpan RetentionBatchPause { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// What a schedule added from now on does with fires it missed by more than <see cref="ScheduleMisfireThreshold"/>
    /// (no orchestrator was running): <c>FireOnceNow</c> (default: one run at once, then on schedule), <c>Skip</c>, or <c>FireEach</c>.
    /// </summary>
    [EnumDataType(typeof(Schedules.ScheduleMisfirePolicy), ErrorMessage = "must be FireOnceNow, Skip or FireEach")]
    public Schedules.ScheduleMisfirePolicy ScheduleMisfirePolicy { get; set; } = Schedules.ScheduleMisfirePolicy.FireOnceNow;

    /// <summary>
    /// How late a fire (of a schedule, or a scheduled message) may be before it counts as missed: a fire later than this
    /// follows <see cref="ScheduleMisfirePolicy"/>, one less late still starts its own run, late. Quartz's misfire threshold.
    /// </summary>
    public TimeSpan ScheduleMisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetentionInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("must be a positive duration such as 00:01:00", [nameof(RetentionInterval)]);
        }

        if (ScheduleMisfireThreshold < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("must be at least 00:00:01", [nameof(ScheduleMisfireThreshold)]);
        }

        if (TimerPollInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("must be a positive duration such as 00:00:01", [nameof(TimerPollInterval)]);
        }
    }
}
