using System.Text.Json.Nodes;

namespace SagaWorkflows.WorkerSdk.Tools;

internal sealed class DelegateTool(string name, Func<ToolContext, CancellationToken, Task<JsonNode?>> execute) : IWorkflowTool
{
    public string Name { get; } = name;

    public Task<JsonNode?> ExecuteAsync(ToolContext context, CancellationToken cancellationToken) => execute(context, cancellationToken);
}
