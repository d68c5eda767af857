using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Runs;

/// <summary>A run's status as the bridge derives it from the run's lifecycle events.</summary>
public static class RunStatus
{
    /// <summary>Started through the bridge; no event seen yet.</summary>
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Suspended = "Suspended";
    public const string Compensating = "Compensating";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";
    public const string CompensationFailed = "CompensationFailed";

    /// <summary>The status after <paramref name="eventType"/>; unchanged for step events.</summary>
    public static string Next(string current, string eventType) => eventType switch
    {
        LifecycleEventTypes.WorkflowStart => Running,
        LifecycleEventTypes.WorkflowSuspended => Suspended,
        LifecycleEventTypes.WorkflowResumed => Running,
        LifecycleEventTypes.CompensationStart => Compensating,
        LifecycleEventTypes.CompensationError => CompensationFailed,
        LifecycleEventTypes.WorkflowComplete => Completed,
        // A failed compensation is what the user must act on; the terminal event that follows it must not hide it.
        LifecycleEventTypes.WorkflowError => current == CompensationFailed ? CompensationFailed : Failed,
        LifecycleEventTypes.WorkflowCancelled => current == CompensationFailed ? CompensationFailed : Cancelled,
        _ => current,
    };
}
