namespace SagaWorkflows.Benchmarks;

/// <summary>Every size and knob of one benchmark run; <see cref="Quick"/> shrinks them to a smoke test.</summary>
public sealed record BenchmarkOptions
{
    public bool QuickMode { get; init; }

    /// <summary>Where the JSON and Markdown results go.</summary>
    public required string OutputDirectory { get; init; }

    public IReadOnlySet<string> Scenarios { get; init; } = ScenarioIds.All.ToHashSet(StringComparer.Ordinal);

    /// <summary>Measured time of each closed-loop scenario (after the warm-up).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Shortest warm-up of each closed-loop scenario; it goes on until the JIT settled (see <c>WarmUp</c>).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest warm-up: the window starts then even if some process is still compiling.</summary>
    public TimeSpan WarmupLimit { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>N: steps of a sequential run and of a step-floor run, activities of a routing slip.</summary>
    public int Steps { get; init; } = 10;

    /// <summary>M: requesters, routing slips or runs in flight.</summary>
    public int Concurrency { get; init; } = 50;

    public int ParallelBranches { get; init; } = 100;
    public int ForeachItems { get; init; } = 1000;
    public int ForeachConcurrency { get; init; } = 50;

    /// <summary>How many times each fan-out run is repeated (the median is reported).</summary>
    public int FanOutRepeat { get; init; } = 3;

    public int ShortRunSteps { get; init; } = 10;

    /// <summary>Short runs executed one after another, so their per-step cost averages over enough steps.</summary>
    public int ShortRuns { get; init; } = 20;

    public int LongRunSteps { get; init; } = 1000;
    public int SuspendedRuns { get; init; } = 10_000;

    /// <summary>Null keeps the product default (SagaWorkflows:PrefetchCount = 64).</summary>
    public ushort? PrefetchCount { get; init; }

    /// <summary>Null keeps the orchestrator's default ConcurrentMessageLimit (also the step floor's orchestrator consumer's).</summary>
    public int? SagaConcurrency { get; init; }

    /// <summary>Null keeps the orchestrator's default PartitionCount.</summary>
    public int? Partitions { get; init; }

    /// <summary>Extra environment variables for the orchestrator and worker processes (runtime knobs, configuration).</summary>
    public IReadOnlyDictionary<string, string> HostEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Transitions measured per state size by the in-process hot-path probe.</summary>
    public int HotPathIterations { get; init; } = 200;

    /// <summary>Longest a single run or request may take before it counts as failed.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public string RabbitMqHost { get; init; } = "localhost";
    public int RabbitMqPort { get; init; } = 5672;
    public string RabbitMqNode { get; init; } = Environment.GetEnvironmentVariable("RABBITMQ_NODENAME") ?? "rabbit@localhost";

    /// <summary>The prefetch the raw MassTransit endpoints use: the one SagaWorkflows hosts get, for a like-for-like baseline.</summary>
    public ushort EffectivePrefetch => PrefetchCount ?? 64;

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    /// <summary>Tiny sizes that only prove each scenario works end to end, in seconds.</summary>
    public BenchmarkOptions Quick() => this with
    {
        QuickMode = true,
        Duration = TimeSpan.FromSeconds(1.5),
        Warmup = TimeSpan.FromSeconds(0.5),
        WarmupLimit = TimeSpan.FromSeconds(0.5),
        Steps = 3,
        Concurrency = 4,
        ParallelBranches = 5,
        ForeachItems = 20,
        ForeachConcurrency = 5,
        FanOutRepeat = 1,
        ShortRunSteps = 3,
        ShortRuns = 2,
        LongRunSteps = 30,
        SuspendedRuns = 50,
        HotPathIterations = 10,
        OperationTimeout = TimeSpan.FromSeconds(30),
    };
}

public static class ScenarioIds
{
    public const string RequestResponse = "request-response";
    public const string Courier = "courier";
    public const string StepFloor = "step-floor";
    public const string Sequential = "sequential";
    public const string FanOut = "fan-out";
    public const string Scaling = "scaling";
    public const string Suspended = "suspended";
    public const string HotPath = "hot-path";

    /// <summary>(3s) the sequential scenario on SQLite and PostgreSQL, with one and three orchestrators: needs PostgreSQL.</summary>
    public const string Stores = "stores";

    /// <summary>What runs by default.</summary>
    public static readonly IReadOnlyList<string> All = [RequestResponse, Courier, StepFloor, Sequential, FanOut, Scaling, Suspended, HotPath];

    /// <summary>Selected only by name (<c>--scenarios</c>): they need more than the broker.</summary>
    public static readonly IReadOnlyList<string> Optional = [Stores];

    public static readonly IReadOnlyList<string> Known = [.. All, .. Optional];
}
