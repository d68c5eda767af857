using MassTransit;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Retries;
using SagaWorkflows.WorkerSdk.Consumers;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.WorkerSdk.Compensation;

/// <summary>
/// One step of a run's compensation routing slip: runs the compensation tool with the input the
/// run recorded. It retries in place with the compensation's own policy, because a routing slip
/// stops at the first activity that faults, and then the run ends <c>CompensationFailed</c>.
/// </summary>
public sealed partial class CompensateStepActivity(IWorkflowTool tool, IServiceProvider services, ILogger<CompensateStepActivity> logger)
    : IExecuteActivity<CompensateStepArguments>
{
    public async Task<ExecutionResult> Execute(ExecuteContext<CompensateStepArguments> context)
    {
        var arguments = context.Arguments;
        if (arguments.InputError is { } inputError)
        {
            return context.Faulted(new ToolException("CompensationInputError", inputError));
        }

        var policy = arguments.Retry ?? new StepRetryPolicy();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await tool.ExecuteAsync(new ToolContext
                {
                    RunId = arguments.RunId,
                    ExecutionId = Core.Engine.ExecutionIds.For(arguments.RunId, "compensate:" + arguments.Path),
                    StepId = arguments.StepId,
                    Path = arguments.Path,
                    Attempt = attempt,
                    Input = Core.Engine.CoreJson.ToNode(arguments.Input),
                    IsCompensation = true,
                    Services = services,
                }, context.CancellationToken);
                return context.Completed();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var errorType = ex is ToolException te ? te.ErrorType : ex.GetType().Name;
                if (!RetryDelays.ShouldRetry(policy, attempt, errorType))
                {
                    LogCompensationFailed(logger, arguments.Tool, arguments.Path, arguments.RunId, attempt, ex.Message);
                    return context.Faulted(new ToolException(errorType, $"compensation '{arguments.Tool}' of step {arguments.Path} failed: {ex.Message}", null, ex));
                }

                var delay = (ex as ToolException)?.RetryAfter ?? RetryDelays.DelayBeforeAttempt(policy, attempt + 1, Random.Shared);
                await Task.Delay(delay, context.CancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compensation {Tool} of {Path} in run {RunId} failed on attempt {Attempt}: {Message}")]
    private static partial void LogCompensationFailed(ILogger logger, string tool, string path, Guid runId, int attempt, string message);
}
