namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// A piece of a run's state kept out of the run row: a chunk of a foreach's items or results
/// (<see cref="RunStateCodec"/>). Written when it changes, not with every transition of the run.
/// </summary>
public sealed class WorkflowRunPart
{
    public Guid RunId { get; set; }

    /// <summary>The foreach's path, what the chunk holds and its number, e.g. <c>fan#results/3</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>A JSON array.</summary>
    public string Json { get; set; } = "";
}
