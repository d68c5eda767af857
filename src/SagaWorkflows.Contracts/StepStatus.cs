using System.Text.Json.Serialization;

namespace SagaWorkflows.Contracts;

/// <summary>A step's status as its lifecycle events tell it (<see cref="RunProjection"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepStatus>))]
public enum StepStatus
{
    /// <summary>Implied by a child's path (an iteration, a container) with nothing started below it yet.</summary>
    Pending,
    Running,

    /// <summary>An attempt failed; the next one is scheduled.</summary>
    Retrying,

    /// <summary>A <c>wait</c> step suspended until its signal arrives.</summary>
    Waiting,
    Completed,
    Failed,

    /// <summary>Still running, retrying or waiting when the run ended (cancelled, or failed elsewhere).</summary>
    Stopped,
}
