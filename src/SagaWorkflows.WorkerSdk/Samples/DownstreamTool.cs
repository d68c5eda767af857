using System.Text.Json.Nodes;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.WorkerSdk.Samples;

/// <summary>
/// The <c>downstream</c> demo tool (<c>{ "service": "carrier", … }</c>): stands for a call to another service. It fails
/// with error type <c>Unavailable</c> while that service has an outage in <see cref="DemoOutages"/>, and returns its
/// input once it has none, whatever attempt or execution it is: what makes a redrive worth doing after the cause is fixed.
/// </summary>
public sealed class DownstreamTool(DemoOutages outages) : IWorkflowTool
{
    public const string ToolName = "downstream";
    public const string UnavailableErrorType = "Unavailable";

    public string Name => ToolName;

    public Task<JsonNode?> ExecuteAsync(ToolContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var service = context.Input?["service"]?.GetValue<string>() ?? ToolName;
        if (outages.IsDown(service))
        {
            throw new ToolException(UnavailableErrorType, $"{service} is unavailable (a demo outage)");
        }

        return Task.FromResult(context.Input?.DeepClone());
    }
}
