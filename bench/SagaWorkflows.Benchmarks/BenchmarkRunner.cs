using SagaWorkflows.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MassTransit;
using SagaWorkflows.Benchmarks.Infrastructure;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Scenarios;

namespace SagaWorkflows.Benchmarks;

/// <summary>
/// One benchmark run: a virtual host and a temporary folder of its own, the deployment under test, every
/// selected scenario in turn on the same broker, then the report. Returns 0 only if every scenario succeeded.
/// </summary>
public static class BenchmarkRunner
{
    private static readonly (string Id, bool NeedsDeployment, Func<BenchmarkContext, CancellationToken, Task<ScenarioResult>> Run)[] Scenarios =
    [
        (ScenarioIds.RequestResponse, false, RequestResponseScenario.RunAsync),
        (ScenarioIds.Courier, false, CourierScenario.RunAsync),
        (ScenarioIds.StepFloor, false, StepFloorScenario.RunAsync),
        (ScenarioIds.Sequential, true, SequentialWorkflowScenario.RunAsync),
        (ScenarioIds.FanOut, true, FanOutScenario.RunAsync),
        (ScenarioIds.Scaling, true, ScalingScenario.RunAsync),
        // Restarts the orchestrator, so it comes after every scenario that reads its peak memory.
        (ScenarioIds.Suspended, true, SuspendedRunsScenario.RunAsync),
        (ScenarioIds.HotPath, false, HotPathScenario.RunAsync),
        // Last: it replaces the deployment's orchestrators (PostgreSQL, three of them) and leaves them so.
        (ScenarioIds.Stores, true, StoresScenario.RunAsync),
    ];

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var minimumWorkers = RaiseThreadPoolMinimum(options.Concurrency);
        var report = new BenchmarkReport
        {
            StartedAt = DateTimeOffset.UtcNow,
            QuickMode = options.QuickMode,
            Environment = DescribeEnvironment(minimumWorkers),
            Parameters = DescribeParameters(options),
        };
        ConsoleReport.WriteHeader(report);

        var clock = Stopwatch.StartNew();
        var workDirectory = Path.Combine(Path.GetTempPath(), "sagawf-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(workDirectory);
        BrokerVirtualHost? broker = null;
        BenchmarkBus? bus = null;
        SagaWorkflowsDeployment? deployment = null;

        // A benchmark stopped with Ctrl+C or a kill must not leave hosts running against a deleted virtual host.
        void KillHosts(object? sender, EventArgs e)
        {
            deployment?.Orchestrator?.Kill();
            deployment?.Worker?.Kill();
        }

        AppDomain.CurrentDomain.ProcessExit += KillHosts;
        try
        {
            broker = await BrokerVirtualHost.CreateAsync(options.RabbitMqHost, options.RabbitMqPort, options.RabbitMqNode, cancellationToken);
            BenchmarkContext.Log($"virtual host {broker.Name}; temporary store in {workDirectory}");
            bus = await BenchmarkBus.StartAsync(broker.AmqpUri, options.EffectivePrefetch, cancellationToken);
            deployment = new SagaWorkflowsDeployment(broker, workDirectory, options);
            if (Scenarios.Any(s => s.NeedsDeployment && options.Runs(s.Id)))
            {
                BenchmarkContext.Log("starting the orchestrator and the sample worker");
                await deployment.StartAsync(cancellationToken);
            }

            var context = new BenchmarkContext(options, bus, deployment, workDirectory);
            foreach (var scenario in Scenarios.Where(s => options.Runs(s.Id)))
            {
                report.Scenarios.Add(await RunScenarioAsync(scenario.Id, scenario.Run, context, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var setup = new ScenarioResult("setup", "Benchmark setup");
            setup.FailIf(true, $"{ex.GetType().Name}: {ex.Message}");
            report.Scenarios.Add(setup);
        }
        finally
        {
            AppDomain.CurrentDomain.ProcessExit -= KillHosts;
            if (deployment is not null)
            {
                await deployment.DisposeAsync();
            }

            if (bus is not null)
            {
                await bus.DisposeAsync();
            }

            if (broker is not null)
            {
                await broker.DisposeAsync();
            }

            TryDelete(workDirectory);
        }

        report.Seconds = clock.Elapsed.TotalSeconds;
        report.Environment["loadAverageAtEnd"] = LoadAverage();
        AddHeadline(report);
        ConsoleReport.Write(report);
        var files = ReportWriter.Write(report, options.OutputDirectory);
        BenchmarkContext.Log($"results: {string.Join(", ", files)}");
        return report.Succeeded ? 0 : 1;
    }

    private static async Task<ScenarioResult> RunScenarioAsync(string id, Func<BenchmarkContext, CancellationToken, Task<ScenarioResult>> run,
        BenchmarkContext context, CancellationToken cancellationToken)
    {
        BenchmarkContext.Log($"scenario {id}");
        var clock = Stopwatch.StartNew();
        ScenarioResult result;
        try
        {
            result = await run(context, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = new ScenarioResult(id, id);
            result.FailIf(true, $"{ex.GetType().Name}: {ex.Message}");
        }

        result.Seconds = clock.Elapsed.TotalSeconds;
        BenchmarkContext.Log($"scenario {id}: {(result.Succeeded ? "done" : "FAILED: " + result.Error)} in {result.Seconds:0.0} s");
        return result;
    }

    /// <summary>The issue's headline: SagaWorkflows' step rate against the two references measured in the same run.</summary>
    private static void AddHeadline(BenchmarkReport report)
    {
        double? Figure(string scenario, string key) =>
            report.Scenarios.FirstOrDefault(s => s.Id == scenario && s.Succeeded)?.Get(key);

        var roundTrips = Figure(ScenarioIds.RequestResponse, "roundTripsPerSecond");
        var activities = Figure(ScenarioIds.Courier, "activitiesPerSecond");
        var floor = Figure(ScenarioIds.StepFloor, "stepsPerSecond");
        var steps = Figure(ScenarioIds.Sequential, "stepsPerSecond");
        if (roundTrips is { } rr)
        {
            report.Headline.Add(new Metric("requestResponseRoundTripsPerSecond", "(1) MassTransit request/response round trips/s", rr, "1/s"));
        }

        if (activities is { } ca)
        {
            report.Headline.Add(new Metric("courierActivitiesPerSecond", "(2) Courier activities/s", ca, "1/s"));
        }

        if (floor is { } f)
        {
            report.Headline.Add(new Metric("stepFloorStepsPerSecond", "(3f) step message floor steps/s", f, "1/s"));
            if (roundTrips is > 0)
            {
                report.Headline.Add(new Metric("floorOverRoundTrips", "(3f)/(1): floor steps per raw round trip (the ceiling of (3)/(1))", f / roundTrips.Value, "x"));
            }
        }

        if (steps is { } s)
        {
            report.Headline.Add(new Metric("sagaWorkflowsStepsPerSecond", "(3) SagaWorkflows steps/s", s, "1/s"));
            if (roundTrips is > 0)
            {
                report.Headline.Add(new Metric("stepsOverRoundTrips", "(3)/(1): SagaWorkflows steps per raw round trip (target >= 0.5)", s / roundTrips.Value, "x"));
            }

            if (activities is > 0)
            {
                report.Headline.Add(new Metric("stepsOverCourierActivities", "(3)/(2): SagaWorkflows steps per Courier activity", s / activities.Value, "x"));
            }

            if (floor is > 0)
            {
                report.Headline.Add(new Metric("stepsOverFloor", "(3)/(3f): SagaWorkflows steps per floor step", s / floor.Value, "x"));
            }
        }

        if (Figure(ScenarioIds.Stores, "postgres3OverSqlite") is { } postgres)
        {
            report.Headline.Add(new Metric("postgres3OverSqlite", "(3s) PostgreSQL with 3 orchestrators / SQLite steps/s (target >= 0.6)", postgres, "x"));
            report.Headline.Add(new Metric("postgres1OverSqlite", "(3s) PostgreSQL with 1 orchestrator / SQLite steps/s",
                Figure(ScenarioIds.Stores, "postgres1OverSqlite") ?? 0, "x"));
            report.Headline.Add(new Metric("postgres3ConflictsPer1000", "(3s) transitions retried for conflicts per 1,000, 3 orchestrators (target < 10)",
                Figure(ScenarioIds.Stores, "postgres3ConflictsPer1000") ?? 0, "‰"));
        }

        if (Figure(ScenarioIds.Scaling, "perStepRatio") is { } flatness)
        {
            report.Headline.Add(new Metric("longOverShortPerStep", "(5) per-step time, long run / short run (target 1)", flatness, "x"));
        }

        if (Figure(ScenarioIds.Suspended, "orchestratorRssMiB") is { } suspendedRss)
        {
            report.Headline.Add(new Metric("suspendedRunsRssMiB", $"(5) orchestrator memory with {Figure(ScenarioIds.Suspended, "suspendedRuns"):0} suspended runs", suspendedRss, "MiB"));
        }
    }

    /// <summary>
    /// MassTransit's request client (8.5.11 on RabbitMQ.Client 7) blocks pool threads: with the default minimum
    /// (one per core) 50 concurrent requesters completed no round trip in 5 s, while 64 threads gave 1,265/s. The
    /// baselines are meant to be the bus's ceiling, not the pool's injection rate, so this process gets threads
    /// enough for its requesters. The hosts keep the runtime's defaults unless --host-env says otherwise.
    /// </summary>
    private static int RaiseThreadPoolMinimum(int concurrency)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        var wanted = Math.Max(workers, concurrency + 16);
        ThreadPool.SetMinThreads(wanted, completionPorts);
        return wanted;
    }

    private static Dictionary<string, string> DescribeEnvironment(int minimumWorkers) => new()
    {
        ["benchmarkThreadPoolMinWorkers"] = minimumWorkers.ToString(CultureInfo.InvariantCulture),
        ["machine"] = Environment.MachineName,
        ["processors"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        ["os"] = RuntimeInformation.OSDescription,
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["configuration"] = RepositoryPaths.Configuration,
        ["massTransit"] = typeof(IBus).Assembly.GetName().Version?.ToString() ?? "?",
        ["loadAverageAtStart"] = LoadAverage(),
        ["hosts"] = "orchestrator and sample worker as separate processes (dotnet <dll> from src/*/bin/" + RepositoryPaths.Configuration + "); baselines inside the benchmark process",
    };

    private static Dictionary<string, string> DescribeParameters(BenchmarkOptions options) => new()
    {
        ["scenarios"] = string.Join(",", ScenarioIds.Known.Where(options.Runs)),
        ["durationSeconds"] = options.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ["warmupSeconds"] = options.Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ["warmupLimitSeconds"] = options.WarmupLimit.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ["steps (N)"] = options.Steps.ToString(CultureInfo.InvariantCulture),
        ["concurrency (M)"] = options.Concurrency.ToString(CultureInfo.InvariantCulture),
        ["parallelBranches"] = options.ParallelBranches.ToString(CultureInfo.InvariantCulture),
        ["foreachItems"] = options.ForeachItems.ToString(CultureInfo.InvariantCulture),
        ["foreachConcurrency"] = options.ForeachConcurrency.ToString(CultureInfo.InvariantCulture),
        ["fanOutRepeat"] = options.FanOutRepeat.ToString(CultureInfo.InvariantCulture),
        ["shortRunSteps"] = options.ShortRunSteps.ToString(CultureInfo.InvariantCulture),
        ["shortRuns"] = options.ShortRuns.ToString(CultureInfo.InvariantCulture),
        ["longRunSteps"] = options.LongRunSteps.ToString(CultureInfo.InvariantCulture),
        ["suspendedRuns"] = options.SuspendedRuns.ToString(CultureInfo.InvariantCulture),
        ["prefetch"] = options.PrefetchCount?.ToString(CultureInfo.InvariantCulture) ?? "product default (64)",
        ["sagaConcurrency"] = options.SagaConcurrency?.ToString(CultureInfo.InvariantCulture) ?? "product default",
        ["partitions"] = options.Partitions?.ToString(CultureInfo.InvariantCulture) ?? "product default",
        ["hostEnvironment"] = string.Join(" ", options.HostEnvironment.Select(e => $"{e.Key}={e.Value}")),
        ["hotPathIterations"] = options.HotPathIterations.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Other work on a shared machine skews every figure; the load average shows how much there was.</summary>
    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover folder in /tmp harms nobody; the figures matter more than the clean-up.
        }
    }
}
