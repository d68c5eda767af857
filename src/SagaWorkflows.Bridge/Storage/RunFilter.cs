using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Storage;

/// <summary>What <c>GET /runs</c> narrows the list to: each given part must match (null: any).</summary>
/// <param name="Status">The run's status.</param>
/// <param name="WorkflowId">The workflow id, exactly.</param>
/// <param name="RunId">A whole run id, or any part of one (case does not matter).</param>
public sealed record RunFilter(RunStatus? Status = null, string? WorkflowId = null, string? RunId = null);
