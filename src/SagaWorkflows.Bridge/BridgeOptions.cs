using System.ComponentModel.DataAnnotations;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting;

namespace SagaWorkflows.Bridge;

/// <summary>Bound from the <c>SagaWorkflows:Bridge</c> configuration section.</summary>
public sealed class BridgeOptions : IValidatableObject
{
    public const string SectionName = "SagaWorkflows:Bridge";
    public const string ConnectionStringName = "Bridge";
    public const string DefaultConnectionString = "Data Source=sagawf-bridge.db";

    /// <summary>The bridge's own durable queue; each bridge database needs its own queue.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "must name a queue")]
    public string Queue { get; set; } = QueueNames.Bridge;

    /// <summary>From <c>ConnectionStrings:Bridge</c>: the SQLite database of relayed events.</summary>
    [ConfigurationKey("ConnectionStrings:" + ConnectionStringName, Secret = true)]
    [Required(AllowEmptyStrings = false, ErrorMessage = "must name the bridge's database")]
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>Open SSE streams beyond this get 503, so a flood of clients cannot exhaust the process.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "must be at least {1}")]
    public int MaxConcurrentStreams { get; set; } = 200;

    /// <summary>Idle streams get a comment this often so proxies and load balancers keep them open.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a stream request for a run the bridge has not seen yet waits for its first event
    /// before answering 404: a client that starts a run and watches it at once races the orchestrator.
    /// </summary>
    public TimeSpan UnknownRunWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Live events buffered per stream; a client slower than this catches up from the database.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "must be at least {1}")]
    public int StreamBufferSize { get; set; } = 1024;

    /// <summary>Events read from the database per query when replaying history.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "must be at least {1}")]
    public int HistoryPageSize { get; set; } = 500;

    /// <summary>Open SSE streams per client (its authenticated identity, else its IP address); beyond it, 429.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "must be at least {1}")]
    public int MaxStreamsPerClient { get; set; } = 20;

    /// <summary>Bytes of a request body; beyond it, 413. A definition of the default size limit fits.</summary>
    [Range(1L, long.MaxValue, ErrorMessage = "must be at least {1}")]
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// API keys a client sends as <c>Authorization: Bearer &lt;key&gt;</c> (<c>SagaWorkflows__Bridge__ApiKeys__0=…</c>).
    /// With neither keys nor <see cref="Jwt"/>, the bridge serves only requests over loopback and refuses to start
    /// on any other address, unless <see cref="AllowAnonymous"/> says otherwise.
    /// </summary>
    [ConfigurationKey(SectionName + ":ApiKeys", Secret = true)]
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Optional JWT bearer tokens from an identity provider.</summary>
    public BridgeJwtOptions Jwt { get; set; } = new();

    /// <summary>Serve everyone without authentication on any address: only behind something that authenticates.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Default and maximum size of <c>GET /runs</c>.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "must be at least {1}")]
    public int RecentRunsLimit { get; set; } = 50;

    /// <summary>The largest <c>limit</c> a <c>GET /runs</c> request may ask for.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "must be at least {1}")]
    public int RecentRunsMaxLimit { get; set; } = 500;

    /// <summary>How long <c>/schedules</c> requests wait for an orchestrator's answer before answering 503.</summary>
    public TimeSpan ScheduleRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a finished run's events, summary and rejected signals are kept before retention deletes them.
    /// Zero or less: never deleted automatically (<c>sagawf purge</c> still works).
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often retention looks for finished runs to delete.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Runs deleted per transaction: small, so relaying events never waits long behind one.</summary>
    [Range(1, 100_000, ErrorMessage = "must be between {1} and {2}")]
    public int RetentionBatchSize { get; set; } = 200;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetentionInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("must be a positive duration such as 00:01:00", [nameof(RetentionInterval)]);
        }

        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("must be a positive duration such as 00:00:15", [nameof(HeartbeatInterval)]);
        }

        if (ScheduleRequestTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("must be a positive duration such as 00:00:10", [nameof(ScheduleRequestTimeout)]);
        }

        if (UnknownRunWait < TimeSpan.Zero)
        {
            yield return new ValidationResult("must not be negative", [nameof(UnknownRunWait)]);
        }

        if (RecentRunsLimit > RecentRunsMaxLimit)
        {
            yield return new ValidationResult($"must not exceed RecentRunsMaxLimit ({RecentRunsMaxLimit})", [nameof(RecentRunsLimit)]);
        }
    }
}

/// <summary>Bound from <c>SagaWorkflows:Bridge:Jwt</c>: set <see cref="Authority"/> to accept its tokens.</summary>
public sealed class BridgeJwtOptions
{
    public const string SectionName = BridgeOptions.SectionName + ":Jwt";

    /// <summary>The issuer whose OpenID configuration and keys validate tokens, e.g. <c>https://login.example.com/realm</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must be issued for.</summary>
    public string? Audience { get; set; }

    /// <summary>Only for development against a local identity provider.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
