using SagaWorkflows.Benchmarks.Measurement;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Workflows;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>
/// (5a) Does a step cost the same in a long run as in a short one? Runs go one at a time, so the figures are
/// per-step latency and CPU without queueing; the long run is also split into its first and last tenth.
/// </summary>
public static class ScalingScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var result = new ScenarioResult(ScenarioIds.Scaling, "(5a) SagaWorkflows per-step cost vs run length");
        result.Notes.Add($"{options.ShortRuns} runs of {options.ShortRunSteps} steps, then 1 run of {options.LongRunSteps} steps; one run at a time; " +
            "per-step time = (workflow-complete - workflow-start) / steps, from the orchestrator's event timestamps");

        var shortDefinition = BenchmarkWorkflows.Sequential(options.ShortRunSteps);

        // One untimed run, so the short runs do not pay for the definition's first parse.
        await WorkflowRuns.RunAsync(context.Bus, shortDefinition, BenchmarkWorkflows.Input, options.OperationTimeout, cancellationToken);

        var shortCpu = new CpuMeter(context.Deployment);
        shortCpu.Start();
        var shortRuns = new List<RunOutcome>();
        for (var i = 0; i < options.ShortRuns; i++)
        {
            shortRuns.Add(await WorkflowRuns.RunAsync(context.Bus, shortDefinition, BenchmarkWorkflows.Input, options.OperationTimeout, cancellationToken));
        }

        shortCpu.Stop();

        var longCpu = new CpuMeter(context.Deployment);
        longCpu.Start();
        var longRun = await WorkflowRuns.RunAsync(context.Bus, BenchmarkWorkflows.Sequential(options.LongRunSteps), BenchmarkWorkflows.Input,
            options.OperationTimeout + TimeSpan.FromMilliseconds(options.LongRunSteps * 100), cancellationToken);
        longCpu.Stop();

        foreach (var failed in shortRuns.Append(longRun).Where(r => !r.Completed))
        {
            result.FailIf(true, failed.Error ?? "failed");
        }

        var shortPerStep = shortRuns.Average(r => r.Executed.TotalMilliseconds) / options.ShortRunSteps;
        var longPerStep = longRun.Executed.TotalMilliseconds / options.LongRunSteps;
        var tenth = Math.Max(1, longRun.Steps.Count / 10);
        var first = LatencySummary.Of(longRun.Steps.Take(tenth).Select(s => s.Milliseconds));
        var last = LatencySummary.Of(longRun.Steps.TakeLast(tenth).Select(s => s.Milliseconds));
        var shortCpuPerStep = RequestResponseScenario.PerOp(shortCpu.Usage().Orchestrator, options.ShortRuns * options.ShortRunSteps);
        var longCpuPerStep = RequestResponseScenario.PerOp(longCpu.Usage().Orchestrator, options.LongRunSteps);

        result.Add("shortPerStepMs", $"{options.ShortRunSteps}-step runs: time per step", shortPerStep, "ms")
            .Add("longPerStepMs", $"{options.LongRunSteps}-step run: time per step", longPerStep, "ms")
            .Add("perStepRatio", "long / short time per step (1 = flat)", shortPerStep > 0 ? longPerStep / shortPerStep : 0, "x")
            .Add("longFirstTenthStepMeanMs", $"{options.LongRunSteps}-step run: mean step latency, first tenth", first.Mean, "ms")
            .Add("longLastTenthStepMeanMs", $"{options.LongRunSteps}-step run: mean step latency, last tenth", last.Mean, "ms")
            .Add("shortCpuOrchestratorMsPerStep", $"{options.ShortRunSteps}-step runs: orchestrator CPU per step", shortCpuPerStep, "ms")
            .Add("longCpuOrchestratorMsPerStep", $"{options.LongRunSteps}-step run: orchestrator CPU per step", longCpuPerStep, "ms")
            .Add("cpuPerStepRatio", "long / short orchestrator CPU per step (1 = flat)", shortCpuPerStep > 0 ? longCpuPerStep / shortCpuPerStep : 0, "x");
        result.FailIf(longRun.Completed && longRun.Steps.Count != options.LongRunSteps, $"expected {options.LongRunSteps} step timings from the long run");
        return result;
    }
}
