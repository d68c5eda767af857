using System.Diagnostics;
using SagaWorkflows.Contracts;
using SagaWorkflows.Orchestration.Runs;
using static SagaWorkflows.Hosting.Telemetry.SagaWorkflowsDiagnostics;

namespace SagaWorkflows.Orchestration.Monitoring;

/// <summary>
/// What the orchestrator tells telemetry about a run's transition: the run and workflow on MassTransit's consume span (and
/// the workflow as baggage, which MassTransit carries to the workers with the run's next messages), and the run counters.
/// A transition replayed after a store conflict is counted again: the counters are close, not exact.
/// </summary>
internal static class RunTelemetry
{
    /// <param name="before">The run's status before the message; null for the message that started it.</param>
    public static RunTransition Observe(WorkflowRun run, RunStatus? before, RunTransition transition)
    {
        var workflow = new KeyValuePair<string, object?>(Tags.WorkflowId, run.WorkflowId);
        if (before is null)
        {
            RunsStarted.Add(1, workflow);
        }

        var wasFinished = before is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Compensated or RunStatus.CompensationFailed;
        if (IsFinished(transition.Status) && !wasFinished)
        {
            RunsEnded.Add(1, workflow, new KeyValuePair<string, object?>(Tags.RunStatus, StatusName(transition.Status)));
        }

        if (Activity.Current is { } activity)
        {
            // On the outermost span of this consume (MassTransit's receive span), so every span it starts later, the sends
            // of this transition's messages included, carries it.
            var outermost = activity;
            while (outermost.Parent is { } parent)
            {
                outermost = parent;
            }

            outermost.SetBaggage(Baggage.WorkflowId, run.WorkflowId);
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(Tags.RunId, run.CorrelationId.ToString());
                activity.SetTag(Tags.WorkflowId, run.WorkflowId);
                activity.SetTag(Tags.RunStatus, StatusName(transition.Status));
            }
        }

        return transition;
    }

    public static bool IsFinished(RunStatus status) =>
        status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Compensated or RunStatus.CompensationFailed;

    public static string StatusName(RunStatus status) => status switch
    {
        RunStatus.Running => "running",
        RunStatus.Suspended => "suspended",
        RunStatus.Compensating => "compensating",
        RunStatus.Completed => "completed",
        RunStatus.Failed => "failed",
        RunStatus.Cancelled => "cancelled",
        RunStatus.Compensated => "compensated",
        _ => "compensation_failed",
    };
}
