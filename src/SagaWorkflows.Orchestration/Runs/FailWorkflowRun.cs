namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// Ends a run as failed without asking the engine: sent by <see cref="PoisonMessageFilter"/> when a message of
/// the run kept failing, since the engine, the run's state or its definition may be what fails. Internal to the
/// orchestrator (sent to its own queue), not part of the public contracts.
/// </summary>
public sealed record FailWorkflowRun
{
    public Guid RunId { get; init; }

    /// <summary>The message type that failed, its failure, and how many times.</summary>
    public string Reason { get; init; } = "";
}
