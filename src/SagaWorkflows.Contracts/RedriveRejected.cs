namespace SagaWorkflows.Contracts;

/// <summary>The orchestrator refused a <see cref="RedriveWorkflow"/>, saying why.</summary>
public sealed record RedriveRejected
{
    public Guid RunId { get; init; }

    /// <summary>The command's <see cref="RedriveWorkflow.AfterSequence"/>, so its sender can match the answer.</summary>
    public long? AfterSequence { get; init; }

    /// <summary>The run's status when it refused; null when no such run exists.</summary>
    public RunStatus? Status { get; init; }

    public string Reason { get; init; } = "";
}
