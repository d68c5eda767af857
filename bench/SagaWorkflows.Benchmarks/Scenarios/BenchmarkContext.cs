using SagaWorkflows.Benchmarks.Infrastructure;
using SagaWorkflows.Benchmarks.Measurement;
using SagaWorkflows.Benchmarks.Reporting;
using Spectre.Console;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>What every scenario works with: the sizes, the benchmark's bus and the deployment under test.</summary>
public sealed class BenchmarkContext(BenchmarkOptions options, BenchmarkBus bus, SagaWorkflowsDeployment deployment, string workDirectory)
{
    public BenchmarkOptions Options { get; } = options;
    public BenchmarkBus Bus { get; } = bus;
    public SagaWorkflowsDeployment Deployment { get; } = deployment;

    /// <summary>The run's temporary folder (deleted at the end).</summary>
    public string WorkDirectory { get; } = workDirectory;

    /// <summary>
    /// The warm-up of a closed-loop load: the benchmark process always does part of the work; the orchestrator and
    /// worker processes too when <paramref name="hosts"/>.
    /// </summary>
    public WarmUp WarmUp(bool hosts)
    {
        List<int> processes = [Environment.ProcessId];
        if (hosts)
        {
            processes.AddRange(new[] { Deployment.Orchestrator?.Id, Deployment.Worker?.Id }.OfType<int>());
        }

        return new WarmUp(Options.Warmup, Options.WarmupLimit > Options.Warmup ? Options.WarmupLimit : Options.Warmup, processes);
    }

    /// <summary>Reports how long a load warmed up, and says so when the window began before the JIT had settled.</summary>
    public static void AddWarmUp(ScenarioResult result, WarmUpResult warmedUp, string? shape = null)
    {
        var label = shape is null ? "" : shape + ": ";
        result.Add(shape is null ? "warmupSeconds" : $"{shape}WarmupSeconds", $"{label}warm-up before the window (until the tiered JIT settled)",
            warmedUp.Elapsed.TotalSeconds, "s");
        if (!warmedUp.Settled)
        {
            result.Notes.Add($"{label}the window began after {warmedUp.Elapsed.TotalSeconds:0} s of warm-up with the JIT still busy (--warmup-limit): figures include start-up cost");
        }
    }

    public static void Log(string message) => AnsiConsole.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {message}");
}
