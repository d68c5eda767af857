using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using SagaWorkflows.WorkerSdk.Ai;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.WorkerSdk;

/// <summary>What <c>AddSagaWorkflowsWorker</c> configures: the tools and chat models this worker hosts.</summary>
public sealed class SagaWorkflowsWorkerBuilder
{
    internal ToolCatalog Tools { get; } = new();
    internal Dictionary<string, Func<IServiceProvider, IChatClient>> ChatClients { get; } = new(StringComparer.Ordinal);

    /// <summary>Commands of one tool processed at once by this worker.</summary>
    public int ConcurrencyPerTool { get; set; } = 16;

    /// <summary>How streamed <c>ai</c> steps batch their <c>step-progress</c> (<c>SagaWorkflows:AiStreaming</c>).</summary>
    public AiStreamingOptions AiStreaming { get; set; } = new();

    /// <summary>Hosts a tool class (constructor dependencies come from the container).</summary>
    public SagaWorkflowsWorkerBuilder AddTool<TTool>() where TTool : class, IWorkflowTool
    {
        Tools.Add(ToolCatalog.ClassFactory<TTool>());
        return this;
    }

    /// <summary>Hosts a tool written as a delegate of its input.</summary>
    public SagaWorkflowsWorkerBuilder AddTool(string name, Func<JsonNode?, CancellationToken, Task<JsonNode?>> execute)
    {
        ArgumentNullException.ThrowIfNull(execute);
        Tools.Add(_ => new DelegateTool(name, (context, ct) => execute(context.Input, ct)));
        return this;
    }

    /// <summary>Hosts a tool written as a delegate that needs the attempt, execution id or services.</summary>
    /// <remarks>A name of its own: with discarded parameters, a lambda would fit both overloads.</remarks>
    public SagaWorkflowsWorkerBuilder AddToolWithContext(string name, Func<ToolContext, CancellationToken, Task<JsonNode?>> execute)
    {
        ArgumentNullException.ThrowIfNull(execute);
        Tools.Add(_ => new DelegateTool(name, execute));
        return this;
    }

    /// <summary>Serves <c>ai</c> steps whose <c>model</c> is <paramref name="model"/> with this chat client.</summary>
    public SagaWorkflowsWorkerBuilder AddChatClient(string model, Func<IServiceProvider, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(factory);
        ChatClients[model] = factory;
        return this;
    }
}
