using SagaWorkflows.Benchmarks.Infrastructure;
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

    public static void Log(string message) => AnsiConsole.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {message}");
}
