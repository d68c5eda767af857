using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;
using Xunit.Abstractions;

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

    /// <summary>
    /// <paramref name="count"/> more orchestrator processes on the same database and runs queue, started together; returns
    /// once all of them consume.
    /// </summary>
    public async Task StartMoreOrchestratorsAsync(int count)
    {
        var started = Enumerable.Range(0, count).Select(_ => HostProcess.Start("SagaWorkflows.Orchestrator", Environment)).ToList();
        _orchestrators.AddRange(started);
        var expected = (Orchestrator is { HasExited: false } ? 1 : 0) + _orchestrators.Count(o => !o.HasExited);
        await ConsumingAsync(QueueNames.WorkflowRuns, expected, started, StartupTimeout, AllDiagnostics);
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

/// <summary>
/// Runs alone: its scale-out test restarts the PostgreSQL server, which every PostgreSQL-using test class of this
/// assembly would feel.
/// </summary>
[CollectionDefinition(nameof(PostgresRestartCollection), DisableParallelization = true)]
public sealed class PostgresRestartCollection;

[Collection(nameof(PostgresRestartCollection))]
public sealed class PostgresStoreTests(PostgresWorkflowSystem system, ITestOutputHelper output) : IClassFixture<PostgresWorkflowSystem>
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

        var stepEvents = await system.Events.WaitForTerminalAsync(steps, Timeout, system.Diagnostics);
        var timerEvents = await system.Events.WaitForTerminalAsync(timed, Timeout, system.Diagnostics);

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

    /// <summary>
    /// The issue's scale-out show: three orchestrator processes on one database and one runs queue, 200 runs of mixed
    /// shapes (sequential, parallel, foreach, retries, compensation, sleeps); one orchestrator is SIGKILLed mid-load and
    /// the PostgreSQL server is restarted once (<c>pg_ctlcluster &lt;major&gt; main restart -m fast</c>: every session is
    /// cut, the server is down a few seconds). Every run must end exactly as its shape says with events 1..N, and the
    /// sleeps whose triggers the killed orchestrator stored must still fire (clustered Quartz takes them over). The
    /// restart hits the whole shared server: this class runs in a collection of its own, alone, and waits briefly for
    /// other test processes' sessions to end first. Bounded to under three minutes.
    /// </summary>
    // Restarts the shared server: build/test.sh runs this category alone, after every other test assembly has finished.
    [Fact]
    [Trait("Category", "ServerRestart")]
    public async Task Three_orchestrators_on_one_database_complete_200_mixed_runs_exactly_through_a_SIGKILL_and_a_PostgreSQL_restart()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var runs = new List<(Guid Id, string Kind, int N)>();
        var victim = system.Orchestrator!;

        // Sleeps scheduled through the orchestrator that will be killed: it is alone, so its saga commits the wake-ups
        // and its scheduler consumer stores their triggers in the clustered Quartz tables before the others start.
        for (var n = 0; n < LongSleeps; n++)
        {
            runs.Add((await system.StartRunAsync(LongSleep, new { n }), "long-sleep", n));
        }

        await WaitUntilAsync(async () => Convert.ToInt64(await system.Database.ScalarAsync("SELECT COUNT(*) FROM qrtz_triggers"), System.Globalization.CultureInfo.InvariantCulture) >= LongSleeps,
            "the first orchestrator stored every long sleep's trigger");

        await system.StartMoreOrchestratorsAsync(2);

        var shapes = new[] { "relay", "fork", "each", "retry", "undo", "sleepy" };
        for (var n = LongSleeps; n < Runs; n++)
        {
            var kind = shapes[n % shapes.Length];
            runs.Add((await system.StartRunAsync(Definitions[kind], Input(kind, n)), kind, n));
        }

        // Mid-load: a quarter of the runs done, the rest in flight or queued.
        await WaitUntilAsync(() => Task.FromResult(Finished(runs) >= Runs / 4), "a quarter of the runs finished");
        victim.Kill();
        var killedAt = Finished(runs);

        await WaitUntilAsync(() => Task.FromResult(Finished(runs) >= Runs / 2), "half of the runs finished after the kill");

        // The server is shared with every other test on this machine: restarting it is done once, here, in a collection
        // that runs alone, after giving other test processes' sessions a moment to end.
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(15) && await PostgresServer.OtherSessionsAsync("sagawf", system.Database.Name) > 0)
        {
            await Task.Delay(250); // pg_stat_activity is the only place to learn it
        }

        var restartedAt = Finished(runs);
        var restart = await PostgresServer.RestartAsync(TimeSpan.FromSeconds(60));

        var problems = new List<string>();
        foreach (var (id, kind, n) in runs)
        {
            var left = Bound - clock.Elapsed;
            IReadOnlyList<WorkflowLifecycleEvent> events;
            try
            {
                events = await system.Events.WaitForTerminalAsync(id, left > TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                problems.Add($"{kind} run {n} ({id}) is stuck after: {string.Join(", ", system.Events.Of(id).Select(e => $"{e.Sequence} {e.Type} {e.Path}"))}");
                continue;
            }

            if (Judge(kind, n, events) is { } problem)
            {
                problems.Add($"{kind} run {n} ({id}): {problem}");
            }
        }

        var figure = $"scale-out chaos: {runs.Count} runs on 3 orchestrators, one SIGKILLed after {killedAt} finished, PostgreSQL restarted "
            + $"after {restartedAt} finished (pg_ctlcluster restart took {restart.TotalSeconds:F1} s), {runs.Count - problems.Count} exact, in {clock.Elapsed.TotalSeconds:F0} s";
        output.WriteLine(figure);
        Console.WriteLine(figure);
        Assert.True(problems.Count == 0, $"{figure}\n{string.Join("\n", problems.Take(5))}\n{system.AllDiagnostics()}");
    }

    private const int Runs = 200;
    private const int LongSleeps = 12;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(170);

    // Long enough to be pending when its orchestrator dies, once two more have started and a quarter of the load is done.
    private const string LongSleep = """
    { "id": "long-sleep", "steps": [
        { "id": "before", "type": "tool", "tool": "echo" },
        { "id": "nap", "type": "sleep", "duration": "PT40S" },
        { "id": "after", "type": "tool", "tool": "echo", "input": { "n": "${ steps.before.n }" } } ],
      "output": "${ steps.after.n }" }
    """;

    private static readonly Dictionary<string, string> Definitions = new()
    {
        ["relay"] = Relay,
        ["fork"] = Fork,
        ["sleepy"] = Sleepy,
        ["each"] = """
        { "id": "each", "steps": [
            { "id": "items", "type": "foreach", "items": "input.items", "concurrency": 2, "steps": [
                { "id": "e", "type": "tool", "tool": "echo", "input": { "i": "${ item }" } } ] } ],
          "output": "${ steps.items }" }
        """,
        ["retry"] = """
        { "id": "retry", "steps": [
            { "id": "shaky", "type": "tool", "tool": "flaky", "input": { "failTimes": 2 }, "retry": { "initialInterval": "PT0.2S", "maxAttempts": 5 } },
            { "id": "done", "type": "tool", "tool": "echo", "input": { "n": "${ input.n }", "attempt": "${ steps.shaky.attempt }" } } ],
          "output": "${ steps.done }" }
        """,
        ["undo"] = """
        { "id": "undo", "steps": [
            { "id": "s1", "type": "tool", "tool": "echo", "input": { "n": 1 }, "compensate": { "tool": "echo", "input": { "undo": 1 } } },
            { "id": "s2", "type": "tool", "tool": "echo", "input": { "n": 2 }, "compensate": { "tool": "echo", "input": { "undo": 2 } } },
            { "id": "s3", "type": "tool", "tool": "fail", "input": { "errorType": "Boom" }, "retry": { "maxAttempts": 1 } } ] }
        """,
    };

    private static object Input(string kind, int n) => kind == "each" ? new { n, items = new[] { n, n + 1, n + 2 } } : new { n };

    /// <summary>Null when the run's events are gapless and end exactly as its shape must; otherwise what is wrong.</summary>
    private static string? Judge(string kind, int n, IReadOnlyList<WorkflowLifecycleEvent> events)
    {
        if (!events.Select(e => e.Sequence).SequenceEqual(Enumerable.Range(1, events.Count).Select(i => (long)i)))
        {
            return $"sequence not 1..N: {string.Join(",", events.Select(e => e.Sequence))}";
        }

        var last = events[^1];
        if (kind == "undo")
        {
            var compensated = events.Where(e => e.Type == LifecycleEventTypes.StepCompensated).Select(e => e.Path).ToList();
            return last.Type == LifecycleEventTypes.WorkflowError && compensated.SequenceEqual(["s2", "s1"])
                && last.Data!.Value.GetProperty("status").GetString() == "Compensated"
                ? null
                : $"ended {last.Type} {last.Data}, compensated [{string.Join(", ", compensated)}]";
        }

        if (last.Type != LifecycleEventTypes.WorkflowComplete)
        {
            return $"ended {last.Type} {last.Data}";
        }

        var expected = kind switch
        {
            "each" => $$"""[{"i":{{n}}},{"i":{{n + 1}}},{"i":{{n + 2}}}]""",
            "retry" => $$"""{"n":{{n}},"attempt":3}""",
            _ => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        // Compact, whatever the indentation the event was serialized with.
        var actual = System.Text.Json.JsonSerializer.Serialize(last.Data!.Value.GetProperty("output"));
        return actual == expected ? null : $"output {actual}, expected {expected}";
    }

    private int Finished(List<(Guid Id, string Kind, int N)> runs) =>
        runs.Count(r => system.Events.Of(r.Id).Any(e => LifecycleEventTypes.IsTerminal(e.Type)));

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        try
        {
            // Progress is observed, not signalled: every 200 ms, as the checks query the database.
            await Poll.UntilAsync(condition, Bound, what, TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message}\n{system.AllDiagnostics()}", timeout);
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
