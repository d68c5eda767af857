using System.Text.Json.Serialization;

namespace SagaWorkflows.Contracts;

/// <summary>
/// The one set of run status names: the orchestrator's run state, <c>GET /runs</c>, <c>GET /runs/{runId}</c>, the
/// run page and the CLI all say these. Written as their names in JSON.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    Running,
    Suspended,

    /// <summary>Undoing the completed steps of a failed or cancelled run.</summary>
    Compensating,
    Completed,
    Failed,
    Cancelled,

    /// <summary>
    /// The orchestrator's end state of a failed run whose compensations all succeeded (the <c>status</c> of its
    /// <c>workflow-error</c>). A <see cref="RunSnapshot"/> shows such a run as <see cref="Failed"/> (or
    /// <see cref="Cancelled"/>) with <see cref="RunSnapshot.Compensation"/> <see cref="CompensationStatus.Compensated"/>.
    /// </summary>
    Compensated,

    /// <summary>A compensation failed: what the user must act on, never hidden by the terminal event after it.</summary>
    CompensationFailed,

    /// <summary>Started (through the bridge) but no event of it seen yet. Last, so earlier values keep their numbers.</summary>
    Pending,
}
