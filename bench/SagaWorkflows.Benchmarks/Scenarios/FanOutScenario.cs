using SagaWorkflows.Benchmarks.Infrastructure;
using System.Diagnostics;
using System.Text.Json;
using SagaWorkflows.Benchmarks.Measurement;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Workflows;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>(4) Fan-out inside one run: a parallel of B branches, and a foreach of I items at concurrency C.</summary>
public static class FanOutScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var result = new ScenarioResult(ScenarioIds.FanOut, "(4) SagaWorkflows fan-out");
        result.Notes.Add($"one run at a time, each shape run {options.FanOutRepeat}x (median reported) after unmeasured runs of it until the JIT settled: parallel of {options.ParallelBranches} one-step branches; " +
            $"foreach of {options.ForeachItems} items at concurrency {options.ForeachConcurrency}, each item one echo step whose input is the template \"${{ item }}\"");

        await MeasureAsync(context, result, "parallel", BenchmarkWorkflows.Parallel(options.ParallelBranches), BenchmarkWorkflows.Input,
            options.ParallelBranches, cancellationToken);
        await MeasureAsync(context, result, "foreach", BenchmarkWorkflows.Foreach(options.ForeachConcurrency), BenchmarkWorkflows.ForeachInput(options.ForeachItems),
            options.ForeachItems, cancellationToken);

        var (_, peak) = context.Deployment.Orchestrator!.Memory();
        result.Add("orchestratorPeakRssMiB", "orchestrator peak memory (VmHWM, since its start)", SequentialWorkflowScenario.Mib(peak), "MiB");
        return result;
    }

    private static async Task MeasureAsync(BenchmarkContext context, ScenarioResult result, string shape, string definition, JsonElement input, int steps,
        CancellationToken cancellationToken)
    {
        // Unmeasured runs of the shape first, until the processes have compiled what it uses (see WarmUp).
        var warming = context.WarmUp(hosts: true).WaitAsync(Stopwatch.StartNew(), cancellationToken);
        do
        {
            var run = await WorkflowRuns.RunAsync(context.Bus, definition, input, context.Options.OperationTimeout, cancellationToken);
            result.FailIf(!run.Completed, run.Error ?? "failed");
        }
        while (!warming.IsCompleted);

        BenchmarkContext.AddWarmUp(result, await warming, shape);
        var runs = new List<RunOutcome>();
        var cpu = new CpuMeter(context.Deployment);
        cpu.Start();
        for (var i = 0; i < context.Options.FanOutRepeat; i++)
        {
            var run = await WorkflowRuns.RunAsync(context.Bus, definition, input, context.Options.OperationTimeout, cancellationToken);
            result.FailIf(!run.Completed, run.Error ?? "failed");
            runs.Add(run);
        }

        cpu.Stop();
        var median = runs.OrderBy(r => r.Observed).ElementAt(runs.Count / 2);
        var stepLatency = LatencySummary.Of(runs.SelectMany(r => r.Steps).Select(s => s.Milliseconds));
        var usage = cpu.Usage();
        result.Add($"{shape}RunMs", $"{shape}: run time (median)", median.Observed.TotalMilliseconds, "ms")
            .Add($"{shape}StepsPerSecond", $"{shape}: steps/s", steps / median.Observed.TotalSeconds, "1/s")
            .Add($"{shape}StepLatencyP50Ms", $"{shape}: step p50", stepLatency.P50, "ms")
            .Add($"{shape}StepLatencyP99Ms", $"{shape}: step p99", stepLatency.P99, "ms")
            .Add($"{shape}CpuOrchestratorMsPerStep", $"{shape}: CPU, orchestrator, per step",
                RequestResponseScenario.PerOp(usage.Orchestrator, steps * runs.Count), "ms");
        result.FailIf(runs.Any(r => r.Completed && r.Steps.Count != steps), $"{shape}: expected {steps} tool steps per run");
    }
}
