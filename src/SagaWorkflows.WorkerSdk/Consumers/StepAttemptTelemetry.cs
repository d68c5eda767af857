using System.Diagnostics;
using MassTransit;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting.Telemetry;
using static SagaWorkflows.Hosting.Telemetry.SagaWorkflowsDiagnostics;

namespace SagaWorkflows.WorkerSdk.Consumers;

/// <summary>
/// The span and the measurements of one step attempt on a worker: a child of MassTransit's consume span, so it joins the
/// run's trace, tagged with the run, the workflow (from the run's baggage), the step, the tool, the attempt and the outcome.
/// </summary>
internal sealed class StepAttemptTelemetry : IDisposable
{
    private static readonly AsyncLocal<StepAttemptTelemetry?> CurrentAttempt = new();

    private readonly Activity? _activity;
    private readonly string _tool;
    private readonly long _started = Stopwatch.GetTimestamp();
    private bool _ended;

    private StepAttemptTelemetry(Activity? activity, string tool)
    {
        _activity = activity;
        _tool = tool;
    }

    /// <summary>The attempt under way in this async flow, for the reply to close.</summary>
    public static StepAttemptTelemetry? Current => CurrentAttempt.Value;

    public static StepAttemptTelemetry Start<T>(ConsumeContext<T> context, Guid runId, string path, int attempt)
        where T : class
    {
        var (tool, stepId) = context.Message switch
        {
            ExecuteTool command => (command.Tool, command.StepId),
            ExecuteAiStep step => ("ai:" + step.Model, step.StepId),
            _ => (typeof(T).Name, ""),
        };
        var activity = SagaWorkflowsDiagnostics.ActivitySource.StartActivity("step " + tool, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Tags.RunId, runId.ToString());
            if (activity.GetBaggageItem(Baggage.WorkflowId) is { Length: > 0 } workflowId)
            {
                activity.SetTag(Tags.WorkflowId, workflowId);
            }

            activity.SetTag(Tags.StepId, stepId);
            activity.SetTag(Tags.StepPath, path);
            activity.SetTag(Tags.Tool, tool);
            activity.SetTag(Tags.Attempt, attempt);
        }

        var telemetry = new StepAttemptTelemetry(activity, tool);
        CurrentAttempt.Value = telemetry;
        return telemetry;
    }

    /// <summary>Ends the attempt with the outcome its reply reports.</summary>
    public void End(object reply)
    {
        switch (reply)
        {
            case StepCompleted:
                End(Outcomes.Completed, null);
                break;
            case StepRetrying retrying:
                StepRetries.Add(1, new KeyValuePair<string, object?>(Tags.Tool, _tool));
                End(Outcomes.Retrying, retrying.ErrorType);
                break;
            case StepFaulted faulted:
                End(Outcomes.Failed, faulted.ErrorType);
                break;
        }
    }

    public void End(string outcome, string? errorType)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        StepDuration.Record(elapsed, new KeyValuePair<string, object?>(Tags.Tool, _tool), new KeyValuePair<string, object?>(Tags.Outcome, outcome));
        if (_activity is null)
        {
            return;
        }

        _activity.SetTag(Tags.Outcome, outcome);
        if (errorType is not null)
        {
            _activity.SetTag(Tags.ErrorType, errorType);
            _activity.SetStatus(ActivityStatusCode.Error, errorType);
        }
    }

    public void Dispose()
    {
        // An attempt that ended without a reply (the reply could not be sent, the host is stopping) is an error.
        End("aborted", "Aborted");
        _activity?.Dispose();
        if (ReferenceEquals(CurrentAttempt.Value, this))
        {
            CurrentAttempt.Value = null;
        }
    }
}
