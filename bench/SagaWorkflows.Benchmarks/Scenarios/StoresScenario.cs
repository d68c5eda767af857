using SagaWorkflows.Benchmarks.Measurement;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Workflows;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>
/// (3s) The sequential scenario (3) on each store, one after another in the same run: SQLite with one orchestrator (the
/// default deployment), PostgreSQL with one orchestrator, and PostgreSQL with three orchestrator processes sharing the
/// database and the runs queue. The worker, the virtual host and the benchmark's bus stay; the orchestrators are replaced
/// between variants (a closed loop ends with every run finished, so nothing is left in flight). Reports steps/s of each, the ratios, and the transitions retried for optimistic-concurrency
/// conflicts per 1,000 transitions (a sequential run of N steps is N + 1 saga transitions: its start and each reply).
/// </summary>
public static class StoresScenario
{
    private sealed record Variant(string Key, string Label, bool Postgres, int Orchestrators);

    private static readonly Variant[] Variants =
    [
        new("sqlite1", "SQLite, 1 orchestrator", false, 1),
        new("postgres1", "PostgreSQL, 1 orchestrator", true, 1),
        new("postgres3", "PostgreSQL, 3 orchestrators", true, 3),
    ];

    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var result = new ScenarioResult(ScenarioIds.Stores, "(3s) Sequential run by store and orchestrator count");
        result.Notes.Add($"{options.Steps} echo steps per run, {options.Concurrency} runs in flight, {options.Duration.TotalSeconds:0} s window each; " +
            "one worker and virtual host, orchestrators replaced between variants, one PostgreSQL database for both PostgreSQL variants; conflicts counted from the orchestrators' " +
            "'write conflicted' reports (the sagawf.store.conflicts counter's event)");

        var rates = new Dictionary<string, double>();
        await using var database = await PostgresTestDatabase.CreateAsync("sagawf_bench");
        foreach (var variant in Variants)
        {
            BenchmarkContext.Log($"  {variant.Label}");
            var (stepsPerSecond, conflictsPer1000, runs) = await MeasureAsync(context, variant, database, cancellationToken);
            rates[variant.Key] = stepsPerSecond;
            result.Add($"{variant.Key}StepsPerSecond", $"{variant.Label}: steps/s", stepsPerSecond, "1/s")
                .Add($"{variant.Key}RunLatencyP50Ms", $"{variant.Label}: run p50", runs.P50, "ms")
                .Add($"{variant.Key}ConflictsPer1000", $"{variant.Label}: transitions retried for conflicts per 1,000 transitions", conflictsPer1000, "‰");
        }

        if (rates["sqlite1"] > 0)
        {
            result.Add("postgres1OverSqlite", "PostgreSQL (1 orchestrator) / SQLite steps/s", rates["postgres1"] / rates["sqlite1"], "x")
                .Add("postgres3OverSqlite", "PostgreSQL (3 orchestrators) / SQLite steps/s (target >= 0.6)", rates["postgres3"] / rates["sqlite1"], "x");
        }

        if (rates["postgres1"] > 0)
        {
            result.Add("postgres3OverPostgres1", "PostgreSQL, 3 orchestrators / 1 orchestrator steps/s", rates["postgres3"] / rates["postgres1"], "x");
        }

        return result;
    }

    private static async Task<(double StepsPerSecond, double ConflictsPer1000, LatencySummary Runs)> MeasureAsync(BenchmarkContext context, Variant variant,
        PostgresTestDatabase? database, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var deployment = context.Deployment;
        var bus = context.Bus;
        if (variant.Postgres)
        {
            await deployment.ReplaceOrchestratorsAsync(new Dictionary<string, string> { ["ConnectionStrings__Workflows"] = database!.ConnectionString },
                variant.Orchestrators, cancellationToken);
        }
        else if (options.HostEnvironment.ContainsKey("ConnectionStrings__Workflows"))
        {
            // The deployment was pointed at another store: SQLite means a fresh file of its own.
            await deployment.ReplaceOrchestratorsAsync(new Dictionary<string, string> { ["ConnectionStrings__Workflows"] = $"Data Source={Path.Combine(context.WorkDirectory, "stores-sqlite.db")}" },
                1, cancellationToken);
        }

        var definition = BenchmarkWorkflows.Sequential(options.Steps);
        var started = 0;
        var stepsBefore = bus.Runs.ToolStepsCompleted;
        var conflictsBefore = deployment.Conflicts;
        var cpu = new CpuMeter(deployment, () => bus.Runs.ToolStepsCompleted);
        var load = await ClosedLoop.RunAsync(options.Concurrency, context.WarmUp(hosts: true), options.Duration, async (_, ct) =>
        {
            Interlocked.Increment(ref started);
            var run = await WorkflowRuns.RunAsync(bus, definition, BenchmarkWorkflows.Input, options.OperationTimeout, ct);
            return new Outcome<RunOutcome>(run.Completed, run, run.Error);
        }, cancellationToken, cpu);

        if (load.Failed > 0 || load.CompletedOverall == 0)
        {
            throw new InvalidOperationException($"{variant.Label}: {load.Failed} runs failed, {load.CompletedOverall} completed: {load.FirstError}");
        }

        var usage = cpu.Usage();
        var stepsPerSecond = usage.Wall.TotalSeconds > 0 ? usage.Work / usage.Wall.TotalSeconds : 0;
        // Over the whole load, warm-up included: every run started then ended, so its transitions all happened.
        var transitions = (bus.Runs.ToolStepsCompleted - stepsBefore) + started;
        var conflicts = deployment.Conflicts - conflictsBefore;
        return (stepsPerSecond, transitions > 0 ? conflicts * 1000.0 / transitions : 0, load.Latency);
    }
}
