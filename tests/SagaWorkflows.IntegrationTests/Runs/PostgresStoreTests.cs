using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Runs;

/// <summary>
/// The deployment of <see cref="WorkflowSystem"/> with its saga store and scheduler on a PostgreSQL database of its
/// own. The run supervisor polls only every five minutes: sleeps and wait timeouts must come through the outbox and
/// the clustered Quartz scheduler.
/// </summary>
public sealed class PostgresWorkflowSystem : WorkflowSystem
{
    private readonly List<HostProcess> _orchestrators = [];

    public PostgresTestDatabase Database { get; private set; } = null!;

    public IReadOnlyList<HostProcess> MoreOrchestrators => _orchestrators;

    // A first start on a fresh database also creates the saga and Quartz schemas; on a loaded 2-core box that and
    // the host's own start can take longer than a minute.
    protected override TimeSpan StartupTimeout => TimeSpan.FromSeconds(180);

    public override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(base.Environment)
    {
        ["ConnectionStrings__Workflows"] = Database.ConnectionString,
        ["SagaWorkflows__Orchestrator__TimerPollInterval"] = "00:05:00",
    };

    public override async Task InitializeAsync()
    {
        Database = await PostgresTestDatabase.CreateAsync("sagawf_it");
        await base.InitializeAsync();
    }

    /// <summary>One more orchestrator process on the same database and runs queue.</summary>
    public async Task<HostProcess> StartAnotherOrchestratorAsync()
    {
        var expected = 2 + _orchestrators.Count;
        var orchestrator = HostProcess.Start("SagaWorkflows.Orchestrator", Environment);
        _orchestrators.Add(orchestrator);
        // Generous: on a loaded 2-core box a host's start alone can take most of a minute.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        while (await Broker.QueueInfoAsync(VirtualHost, QueueNames.WorkflowRuns) is not { } info || info.Consumers < expected)
        {
            if (orchestrator.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"orchestrator {expected} did not start consuming:\n{orchestrator.Tail()}");
            }

            // Polling the broker is the only readiness signal a separate process gives us.
            await Task.Delay(100);
        }

        return orchestrator;
    }

    public string AllDiagnostics() =>
        Diagnostics() + string.Concat(_orchestrators.Select((o, i) => $"\n--- orchestrator {i + 2} ---\n{o.Tail()}"));

    public override async Task DisposeAsync()
    {
        foreach (var orchestrator in _orchestrators)
        {
            await orchestrator.DisposeAsync();
        }

        await base.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public sealed class PostgresStoreTests(PostgresWorkflowSystem system) : IClassFixture<PostgresWorkflowSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private const string Relay = """
    { "id": "relay", "steps": [
        { "id": "s1", "type": "tool", "tool": "echo" }, { "id": "s2", "type": "tool", "tool": "echo" },
        { "id": "s3", "type": "tool", "tool": "echo" }, { "id": "s4", "type": "tool", "tool": "echo" } ],
      "output": "${ steps.s4.n }" }
    """;

    private const string Sleepy = """
    { "id": "sleepy", "steps": [
        { "id": "before", "type": "tool", "tool": "echo" },
        { "id": "nap", "type": "sleep", "duration": "PT2S" },
        { "id": "after", "type": "tool", "tool": "echo", "input": { "n": "${ steps.before.n }" } } ],
      "output": "${ steps.after.n }" }
    """;

    private const string Fork = """
    { "id": "fork", "steps": [
        { "id": "split", "type": "parallel", "branches": {
            "left": [ { "id": "l", "type": "tool", "tool": "delay", "input": { "ms": 200, "n": "${ input.n }" } } ],
            "right": [ { "id": "r", "type": "tool", "tool": "echo", "input": { "n": "${ input.n }" } } ] } },
        { "id": "join", "type": "tool", "tool": "echo", "input": { "n": "${ input.n }" } } ],
      "output": "${ steps.join.n }" }
    """;

    [Fact]
    public async Task Runs_with_steps_sleeps_and_wait_timeouts_complete_on_a_postgres_store_with_the_scheduler_in_the_same_database()
    {
        const string timers = """
        { "id": "timers", "steps": [
            { "id": "nap", "type": "sleep", "duration": "PT1S" },
            { "id": "approve", "type": "wait", "signal": "never", "timeout": "PT1S" } ] }
        """;
        var steps = await system.StartRunAsync(SequentialRunTests.ThreeSteps, new { orderId = "P-1", n = 1 });
        var timed = await system.StartRunAsync(timers);

        var stepEvents = await system.Events.WaitForTerminal(steps, Timeout, system.Diagnostics);
        var timerEvents = await system.Events.WaitForTerminal(timed, Timeout, system.Diagnostics);

        Assert.Equal(LifecycleEventTypes.WorkflowComplete, stepEvents[^1].Type);
        Assert.Equal("P-1", stepEvents[^1].Data!.Value.GetProperty("output").GetProperty("last").GetString());
        Assert.Equal(Enumerable.Range(1, timerEvents.Count).Select(i => (long)i), timerEvents.Select(e => e.Sequence));
        var napDone = timerEvents.Single(e => e.Type == LifecycleEventTypes.StepComplete && e.Path == "nap").Timestamp;
        Assert.InRange((napDone - timerEvents[0].Timestamp).TotalSeconds, 0.95, 30);
        Assert.Equal("Timeout", timerEvents.Single(e => e.Type == LifecycleEventTypes.StepError).Data!.Value.GetProperty("error").GetProperty("type").GetString());

        // The state is in PostgreSQL, and so are the scheduler's triggers (Quartz's tables beside the runs).
        Assert.Equal(2L, await system.Database.ScalarAsync($"SELECT COUNT(*) FROM \"WorkflowRuns\" WHERE \"CorrelationId\" IN ('{steps}', '{timed}')"));
        Assert.Equal(1L, await system.Database.ScalarAsync("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'qrtz_triggers'"));
    }

    [Fact]
    public async Task Three_orchestrators_on_one_database_complete_every_run_exactly_when_one_is_killed_mid_load()
    {
        await system.StartAnotherOrchestratorAsync();
        var victim = await system.StartAnotherOrchestratorAsync();

        var shapes = new[] { Relay, Sleepy, Fork };
        var runs = new List<(Guid Id, int N)>();
        for (var n = 0; n < 30; n++)
        {
            runs.Add((await system.StartRunAsync(shapes[n % shapes.Length], new { n }), n));
        }

        // Mid-load: every sleepy run is asleep (its wake-up scheduled, possibly by the process about to die).
        foreach (var (id, n) in runs.Where(r => r.N % shapes.Length == 1))
        {
            await system.Events.WaitFor(id, e => e.Any(x => x.Type == LifecycleEventTypes.StepStart && x.Path == "nap"), Timeout, system.AllDiagnostics);
        }

        victim.Kill();

        foreach (var (id, n) in runs)
        {
            var events = await system.Events.WaitForTerminal(id, Timeout, system.AllDiagnostics);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
            Assert.True(LifecycleEventTypes.WorkflowComplete == events[^1].Type, $"run {n} ended with {events[^1].Type}\n{system.AllDiagnostics()}");
            Assert.Equal(n, events[^1].Data!.Value.GetProperty("output").GetInt32());
        }
    }
}

/// <summary>A store the orchestrator cannot open stops it at once with one line saying why.</summary>
public sealed class PostgresStartupErrorTests
{
    [Fact]
    public async Task An_orchestrator_pointed_at_a_missing_database_exits_non_zero_naming_it()
    {
        var missing = "sagawf_missing_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(PostgresTestDatabase.ServerConnectionString) { Database = missing }.ConnectionString;
        await using var orchestrator = HostProcess.Start("SagaWorkflows.Orchestrator", new Dictionary<string, string>
        {
            ["ConnectionStrings__Workflows"] = connectionString,
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@localhost:5672/",
            ["SagaWorkflows__Transport"] = "InMemory",
        });

        var exitCode = await orchestrator.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode is not null and not 0, $"exit code {exitCode}\n{orchestrator.Tail()}");
        var line = Assert.Single(orchestrator.Output.Split('\n'), l => l.StartsWith("orchestrator: cannot start:", StringComparison.Ordinal));
        Assert.Contains(missing, line, StringComparison.Ordinal);
        Assert.Contains("does not exist", line, StringComparison.Ordinal);
    }
}
