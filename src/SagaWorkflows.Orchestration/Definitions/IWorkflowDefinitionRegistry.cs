namespace SagaWorkflows.Orchestration.Definitions;

/// <summary>Resolves a <c>WorkflowId</c> (and optional version) of a start message to definition JSON.</summary>
public interface IWorkflowDefinitionRegistry
{
    /// <summary>The definition's JSON, the newest version when <paramref name="version"/> is null; null when unknown.</summary>
    string? Find(string workflowId, int? version);

    IReadOnlyList<(string Id, int Version)> List();
}
