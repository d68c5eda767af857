using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using SagaWorkflows.Benchmarks.Infrastructure;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Workflows;

/// <summary>How one run went, as the benchmark saw it.</summary>
/// <param name="Observed">From publishing StartWorkflow to receiving the terminal event: what a caller waits.</param>
/// <param name="Executed">From the workflow-start to the terminal event's timestamp: the orchestrator's own clock.</param>
public sealed record RunOutcome(Guid RunId, bool Completed, string Terminal, TimeSpan Observed, TimeSpan Executed, IReadOnlyList<StepTiming> Steps, string? Error);

public static class WorkflowRuns
{
    /// <summary>Starts a run the way users do (publishing <see cref="StartWorkflow"/>) and waits for its end.</summary>
    public static async Task<RunOutcome> RunAsync(BenchmarkBus bus, string definition, JsonElement input, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var runId = NewId.NextGuid();
        var tracker = bus.Runs.Track(runId);
        try
        {
            var clock = Stopwatch.StartNew();
            await bus.Bus.Publish(new StartWorkflow { RunId = runId, Definition = definition, Input = input }, cancellationToken);
            WorkflowLifecycleEvent terminal;
            try
            {
                terminal = await tracker.Finished.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                return new RunOutcome(runId, false, "timeout", clock.Elapsed, TimeSpan.Zero, tracker.Steps(),
                    $"run {runId} did not finish within {timeout.TotalSeconds} s");
            }

            var observed = clock.Elapsed;
            var completed = terminal.Type == LifecycleEventTypes.WorkflowComplete;
            return new RunOutcome(runId, completed, terminal.Type, observed,
                tracker.StartedAt is { } started ? terminal.Timestamp - started : observed,
                tracker.Steps(), completed ? null : $"run {runId} ended with {terminal.Type}: {terminal.Data}");
        }
        finally
        {
            bus.Runs.Forget(runId);
        }
    }
}
