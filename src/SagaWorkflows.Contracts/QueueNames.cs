namespace SagaWorkflows.Contracts;

/// <summary>The queue names every SagaWorkflows process agrees on.</summary>
public static class QueueNames
{
    /// <summary>The workflow-run saga's queue: start/signal/cancel commands and step replies.</summary>
    public const string WorkflowRuns = "sagawf-runs";

    /// <summary>The durable message scheduler (ScheduleMessage / CancelScheduledMessage).</summary>
    public const string Scheduler = "sagawf-scheduler";

    /// <summary>The orchestrator's schedule requests (<c>AddSchedule</c>, <c>RemoveSchedule</c>, <c>ListSchedules</c>).</summary>
    public const string Schedules = "sagawf-schedules";

    /// <summary>The SSE bridge's queue of lifecycle events.</summary>
    public const string Bridge = "sagawf-bridge";

    /// <summary>One queue per tool, so tools scale and deploy apart.</summary>
    public static string Tool(string tool) => "sagawf-tool-" + tool;

    /// <summary>One queue per chat model name for <c>ai</c> steps.</summary>
    public static string Ai(string model) => "sagawf-ai-" + model;

    /// <summary>Where compensation activities of a tool run (Courier).</summary>
    public static string Compensation(string tool) => "sagawf-compensate-" + tool;
}
