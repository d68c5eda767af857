using System.Text.Json.Nodes;

namespace SagaWorkflows.WorkerSdk.Tools;

/// <summary>
/// A tool steps can call by <see cref="Name"/>. Throw <see cref="ToolException"/> to report an
/// error type (matched by the step's <c>retryOn</c>/<c>nonRetryable</c>) or a retry-after; any
/// other exception is a retryable error of its .NET type name.
/// </summary>
public interface IWorkflowTool
{
    string Name { get; }

    Task<JsonNode?> ExecuteAsync(ToolContext context, CancellationToken cancellationToken);
}
