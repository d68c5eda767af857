using SagaWorkflows.Benchmarks.Infrastructure;
using System.Diagnostics;
using MassTransit;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Workflows;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>
/// (5b) Memory with many suspended runs: runs that wait for a signal live in the store, not in the
/// orchestrator's memory, so its footprint should not grow with their number. A fresh orchestrator
/// on an empty store makes its peak memory this scenario's own.
/// </summary>
public static class SuspendedRunsScenario
{
    private const int PublishConcurrency = 64;

    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var count = options.SuspendedRuns;
        var result = new ScenarioResult(ScenarioIds.Suspended, "(5b) SagaWorkflows memory with suspended runs");
        result.Notes.Add($"{count} runs started at once (StartWorkflow published {PublishConcurrency} at a time), each stopping at a wait step; " +
            "fresh orchestrator process on an empty store; memory read from /proc/<pid>/status");

        BenchmarkContext.Log("restarting the orchestrator on an empty store");
        await context.Deployment.RestartOrchestratorAsync(cancellationToken);
        var orchestrator = context.Deployment.Orchestrator!;

        // Warm-up outside the figures: JIT, connection pools, the definition cache.
        await WorkflowRuns.RunAsync(context.Bus, BenchmarkWorkflows.Sequential(1), BenchmarkWorkflows.Input, options.OperationTimeout, cancellationToken);
        var definition = BenchmarkWorkflows.Wait();
        await StartSuspendedAsync(context, definition, 1, options.OperationTimeout, cancellationToken);

        var (baseline, _) = orchestrator.Memory();
        var clock = Stopwatch.StartNew();
        var timeout = options.OperationTimeout + TimeSpan.FromMilliseconds(count * 20.0);

        // In two halves: growth that repeats in the second half scales with the runs; growth that does not is the
        // heap settling to the load.
        var firstHalf = await StartSuspendedAsync(context, definition, count / 2, timeout, cancellationToken);
        var (halfRss, _) = orchestrator.Memory();
        var secondHalf = await StartSuspendedAsync(context, definition, count - count / 2, timeout, cancellationToken);
        var suspended = firstHalf + secondHalf;
        var elapsed = clock.Elapsed;
        var (rss, peak) = orchestrator.Memory();

        result.Add("suspendedRuns", "runs suspended", suspended, "")
            .Add("suspendPerSecond", "runs started and suspended per second", suspended / elapsed.TotalSeconds, "1/s")
            .Add("orchestratorBaselineRssMiB", "orchestrator memory before (VmRSS, after warm-up)", SequentialWorkflowScenario.Mib(baseline), "MiB")
            .Add("orchestratorHalfRssMiB", $"orchestrator memory with {count / 2} runs suspended (VmRSS)", SequentialWorkflowScenario.Mib(halfRss), "MiB")
            .Add("orchestratorRssMiB", $"orchestrator memory with {count} runs suspended (VmRSS)", SequentialWorkflowScenario.Mib(rss), "MiB")
            .Add("orchestratorPeakRssMiB", "orchestrator peak memory (VmHWM)", SequentialWorkflowScenario.Mib(peak), "MiB")
            .Add("secondHalfRssPerRunKiB", "memory growth per run over the second half ((VmRSS - VmRSS at half) / runs)",
                (rss - halfRss) / 1024.0 / Math.Max(1, secondHalf), "KiB")
            .Add("storeMiB", "SQLite store on disk (with WAL)", SequentialWorkflowScenario.Mib(context.Deployment.DatabaseBytes()), "MiB")
            .Add("storeBytesPerRun", "store bytes per suspended run", context.Deployment.DatabaseBytes() / (double)Math.Max(1, suspended), "B");
        result.FailIf(suspended < count, $"only {suspended} of {count} runs reached their wait step within {timeout.TotalSeconds:0} s");
        return result;
    }

    /// <summary>Starts runs that stop at their wait step; returns how many got there in time.</summary>
    private static async Task<int> StartSuspendedAsync(BenchmarkContext context, string definition, int count, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var bus = context.Bus;
        var trackers = new RunTracker[count];
        try
        {
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = PublishConcurrency, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    var runId = NewId.NextGuid();
                    trackers[i] = bus.Runs.Track(runId);
                    await bus.Bus.Publish(new StartWorkflow { RunId = runId, Definition = definition, Input = BenchmarkWorkflows.Input }, ct);
                });

            var waiting = trackers.Select(t => Task.WhenAny(t.Suspended, t.Finished)).ToList();
            try
            {
                await Task.WhenAll(waiting).WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Counted below: the figures of the runs that made it are still worth reporting.
            }

            return trackers.Count(t => t.Suspended.IsCompletedSuccessfully);
        }
        finally
        {
            foreach (var tracker in trackers.Where(t => t is not null))
            {
                bus.Runs.Forget(tracker.RunId);
            }
        }
    }
}
