using System.Text.Json;

namespace SagaWorkflows.Contracts;

/// <summary>Starts a run. Publishing the same <see cref="RunId"/> twice starts one run.</summary>
/// <remarks>Either <see cref="WorkflowId"/> names a definition the orchestrator knows, or
/// <see cref="Definition"/> carries the definition JSON inline (then its own id is used).</remarks>
public sealed record StartWorkflow
{
    public Guid RunId { get; init; }
    public string? WorkflowId { get; init; }
    public int? Version { get; init; }
    public string? Definition { get; init; }
    public JsonElement? Input { get; init; }

    /// <summary>Set on a run a schedule started: the schedule's id (named in the run's <c>workflow-start</c>).</summary>
    public string? ScheduleId { get; init; }

    /// <summary>Set on a run a schedule started: the fire time the run stands for (its RunId is derived from it and <see cref="ScheduleId"/>).</summary>
    public DateTimeOffset? ScheduledFireTime { get; init; }

    /// <summary>Set when a <c>workflow</c> step of another run starts this one as its child.</summary>
    public ParentRun? Parent { get; init; }
}

/// <summary>Resumes a <c>wait</c> step waiting for <see cref="Signal"/>.</summary>
public sealed record SignalWorkflow
{
    public Guid RunId { get; init; }
    public string Signal { get; init; } = "";
    public JsonElement? Payload { get; init; }
}

/// <summary>Pauses dispatching: in-flight steps finish and are recorded, no new step starts.</summary>
public sealed record SuspendWorkflow
{
    public Guid RunId { get; init; }

    /// <summary>Set by a parent run for its child: suspends and resumes apply in this order, whatever order they arrive in.</summary>
    public long? Generation { get; init; }
}

public sealed record ResumeWorkflow
{
    public Guid RunId { get; init; }

    /// <inheritdoc cref="SuspendWorkflow.Generation"/>
    public long? Generation { get; init; }
}

/// <summary>Stops the run, then compensates what completed.</summary>
public sealed record CancelWorkflow
{
    public Guid RunId { get; init; }
    public string? Reason { get; init; }
}
