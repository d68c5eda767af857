using SagaWorkflows.Benchmarks.Infrastructure;
using SagaWorkflows.Benchmarks.Measurement;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Workflows;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>(3) SagaWorkflows: a sequential workflow of N echo steps, M runs in flight.</summary>
public static class SequentialWorkflowScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var result = new ScenarioResult(ScenarioIds.Sequential, "(3) SagaWorkflows sequential run");
        result.Notes.Add($"{options.Steps} echo steps per run, {options.Concurrency} runs in flight; orchestrator and sample worker as separate processes; " +
            "run latency measured by the benchmark (publish StartWorkflow to terminal event), step latency from the step-start/step-complete event timestamps");

        var definition = BenchmarkWorkflows.Sequential(options.Steps);
        var cpu = new CpuMeter(context.Deployment, () => context.Bus.Runs.ToolStepsCompleted);
        var load = await ClosedLoop.RunAsync(options.Concurrency, context.WarmUp(hosts: true), options.Duration, async (_, ct) =>
        {
            var run = await WorkflowRuns.RunAsync(context.Bus, definition, BenchmarkWorkflows.Input, options.OperationTimeout, ct);
            return new Outcome<RunOutcome>(run.Completed, run, run.Error);
        }, cancellationToken, cpu);

        var usage = cpu.Usage();
        BenchmarkContext.AddWarmUp(result, load.WarmedUp);
        var steps = LatencySummary.Of(load.Details.SelectMany(r => r.Steps).Select(s => s.Milliseconds));
        var stepCount = (int)usage.Work;
        var stepsPerSecond = usage.Wall.TotalSeconds > 0 ? usage.Work / usage.Wall.TotalSeconds : 0;
        var (rss, peak) = context.Deployment.Orchestrator!.Memory();
        var (_, workerPeak) = context.Deployment.Worker!.Memory();
        AddThroughput(result, "steps/s (tool steps completed in the window)", stepsPerSecond, options.Steps, steps, load.Latency);
        AddCpu(result, usage, stepCount, "step");
        result.Add("orchestratorPeakRssMiB", "orchestrator peak memory (VmHWM, since its start)", Mib(peak), "MiB")
            .Add("orchestratorRssMiB", "orchestrator memory now (VmRSS)", Mib(rss), "MiB")
            .Add("workerPeakRssMiB", "worker peak memory (VmHWM)", Mib(workerPeak), "MiB")
            .Add("completed", "runs completed in the window (latency sample)", load.Completed, "")
            .Add("stepsMeasured", "steps completed in the window", stepCount, "");
        result.FailIf(load.CompletedOverall == 0, "no run completed");
        result.FailIf(load.Failed > 0, $"{load.Failed} runs failed: {load.FirstError}");
        return result;
    }

    /// <summary>Throughput and latency of a closed loop of runs: the figures (3) and (3f) share.</summary>
    internal static ScenarioResult AddThroughput(ScenarioResult result, string stepsLabel, double stepsPerSecond, int stepsPerRun,
        LatencySummary steps, LatencySummary runs)
    {
        return result.Add("stepsPerSecond", stepsLabel, stepsPerSecond, "1/s")
            .Add("runsPerSecond", "runs/s (steps/s / N)", stepsPerSecond / stepsPerRun, "1/s")
            .Add("costPerStepMs", "wall time per step at this load (1/throughput)", stepsPerSecond > 0 ? 1000 / stepsPerSecond : 0, "ms")
            .Add("stepLatencyP50Ms", "step p50", steps.P50, "ms")
            .Add("stepLatencyP95Ms", "step p95", steps.P95, "ms")
            .Add("stepLatencyP99Ms", "step p99", steps.P99, "ms")
            .Add("runLatencyP50Ms", "run p50", runs.P50, "ms")
            .Add("runLatencyP95Ms", "run p95", runs.P95, "ms")
            .Add("runLatencyP99Ms", "run p99", runs.P99, "ms");
    }

    internal static void AddCpu(ScenarioResult result, CpuUsage usage, int steps, string unit)
    {
        result.Add("cpuOrchestratorMsPerStep", $"CPU, orchestrator, per {unit}", RequestResponseScenario.PerOp(usage.Orchestrator, steps), "ms")
            .Add("cpuWorkerMsPerStep", $"CPU, worker, per {unit}", RequestResponseScenario.PerOp(usage.Worker, steps), "ms")
            .Add("cpuBenchmarkMsPerStep", $"CPU, benchmark (starts runs, reads events), per {unit}", RequestResponseScenario.PerOp(usage.Benchmark, steps), "ms")
            .Add("cpuBrokerMsPerStep", $"CPU, broker, per {unit}", RequestResponseScenario.PerOp(usage.Broker, steps), "ms")
            .Add("orchestratorCpuUtilisation", "orchestrator CPU / wall time (1 = one core busy)",
                usage.Wall.TotalMilliseconds > 0 ? usage.Orchestrator.TotalMilliseconds / usage.Wall.TotalMilliseconds : 0, "cores");
    }

    internal static double Mib(long bytes) => bytes / 1024.0 / 1024.0;
}
