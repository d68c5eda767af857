using MassTransit;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.WorkerSdk.Consumers;

/// <summary>Runs <see cref="ExecuteTool"/> commands of one tool, on that tool's own queue.</summary>
public sealed class ExecuteToolConsumer(IWorkflowTool tool, IServiceProvider services, ILogger<ExecuteToolConsumer> logger) : IConsumer<ExecuteTool>
{
    private readonly Uri _runs = StepReplies.RunsAddress(services);

    public Task Consume(ConsumeContext<ExecuteTool> context)
    {
        var command = context.Message;
        return StepAttempt.RunAsync(context, command.RunId, command.ExecutionId, command.Path, command.Attempt, command.Retry, command.Timeout, command.Deadline, logger, _runs,
            (attempt, ct) => tool.ExecuteAsync(new ToolContext
            {
                RunId = command.RunId,
                ExecutionId = command.ExecutionId,
                StepId = command.StepId,
                Path = command.Path,
                Attempt = attempt,
                Input = Core.Engine.CoreJson.ToNode(command.Input),
                Services = services,
            }, ct));
    }
}
