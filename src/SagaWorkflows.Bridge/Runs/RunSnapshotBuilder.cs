using System.Text.Json;
using System.Xml;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Runs;

/// <summary>
/// Folds a run's released events, in sequence order, into its status and step tree. Pure, so the
/// snapshot can be rebuilt from the store at any time and tested without a bus; the page's script
/// applies the same rules to the live stream.
/// </summary>
public static class RunSnapshotBuilder
{
    public static RunSnapshot Build(Guid runId, string workflowId, IEnumerable<WorkflowLifecycleEvent> events,
        int heldEvents = 0, IReadOnlyList<RejectedSignalSnapshot>? rejectedSignals = null)
    {
        ArgumentNullException.ThrowIfNull(events);

        var status = RunStatus.Pending;
        string? compensation = null;
        DateTimeOffset? startedAt = null, completedAt = null;
        JsonElement? error = null, output = null;
        long lastSequence = 0;
        var steps = new StepTree();

        foreach (var e in events)
        {
            lastSequence = Math.Max(lastSequence, e.Sequence);
            if (!string.IsNullOrEmpty(e.WorkflowId))
            {
                workflowId = e.WorkflowId;
            }

            status = RunStatus.Next(status, e.Type);
            switch (e.Type)
            {
                case LifecycleEventTypes.WorkflowStart:
                    startedAt ??= e.Timestamp;
                    break;
                case LifecycleEventTypes.WorkflowComplete:
                    completedAt = e.Timestamp;
                    output = EventData.Output(e.Data);
                    break;
                case LifecycleEventTypes.WorkflowError:
                case LifecycleEventTypes.WorkflowCancelled:
                    completedAt = e.Timestamp;
                    error ??= EventData.Error(e.Data);
                    break;
                case LifecycleEventTypes.StepError:
                    error = EventData.Error(e.Data);
                    break;
                case LifecycleEventTypes.CompensationStart:
                    compensation = CompensationStatus.Compensating;
                    break;
                case LifecycleEventTypes.CompensationComplete:
                    compensation = CompensationStatus.Compensated;
                    break;
                case LifecycleEventTypes.CompensationError:
                    compensation = CompensationStatus.Failed;
                    error = EventData.Error(e.Data) ?? error;
                    break;
            }

            if (!string.IsNullOrEmpty(e.Path))
            {
                steps.Apply(e);
            }
        }

        var duration = startedAt is { } s && completedAt is { } c ? c - s : (TimeSpan?)null;
        return new RunSnapshot
        {
            RunId = runId,
            WorkflowId = workflowId,
            Status = status,
            Compensation = compensation,
            StartedAt = startedAt,
            CompletedAt = completedAt,
            Duration = FormatDuration(duration),
            DurationMs = duration?.TotalMilliseconds,
            LastSequence = lastSequence,
            HeldEvents = heldEvents,
            Error = error,
            Output = output,
            Steps = steps.ToSnapshots(),
            RejectedSignals = rejectedSignals ?? [],
        };
    }

    internal static string? FormatDuration(TimeSpan? duration) =>
        duration is { } d ? XmlConvert.ToString(d < TimeSpan.Zero ? TimeSpan.Zero : d) : null;
}
