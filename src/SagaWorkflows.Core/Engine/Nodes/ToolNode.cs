using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Engine.Nodes;

/// <summary>
/// <c>tool</c>: sends <see cref="ExecuteTool"/> to the tool's own queue. Input is the rendered
/// <c>input</c> template, or the previous step's output. On success, a declared compensation is
/// recorded with its input rendered now, while the step's output is at hand.
/// </summary>
internal sealed class ToolNode : ActivityNode<ToolStep>
{
    protected override StepRetryPolicy? RetryOf(ToolStep step) => step.Retry;

    protected override TimeSpan? TimeoutOf(ToolStep step) => step.Timeout;

    protected override JsonNode? PrepareInput(ToolStep step, JsonNode? input, Scope scope, RunContext context) =>
        step.Input is null
            ? input?.DeepClone()
            : context.Expressions.Render(step.Input, scope.ToEvaluation(context.State.Input));

    protected override (string Queue, object Command) BuildCommand(ToolStep step, ActivityState state, RunContext context) =>
        (QueueNames.Tool(step.Tool), new ExecuteTool
        {
            RunId = context.State.RunId,
            ExecutionId = state.ExecutionId,
            StepId = step.Id,
            Path = state.Path,
            Tool = step.Tool,
            Attempt = state.Attempt,
            Input = RunContext.ToElement(state.Input),
            Retry = PolicyContract(step.Retry),
            Timeout = step.Timeout,
            Deadline = state.DeadlineAt,
        });

    protected override void OnSucceeded(ToolStep step, ActivityState state, JsonNode? output, Scope scope, RunContext context)
    {
        if (step.Compensate is not { } compensate)
        {
            return;
        }

        JsonNode? input;
        string? inputError = null;
        try
        {
            input = compensate.Input is null
                ? output?.DeepClone()
                : context.Expressions.Render(compensate.Input, scope.ToEvaluation(context.State.Input, step.Id, output));
        }
        catch (ExpressionException ex)
        {
            input = null;
            inputError = ex.Message;
        }

        context.State.CompensationLog.Add(new CompensationEntry
        {
            StepId = step.Id,
            Path = state.Path,
            Tool = compensate.Tool,
            Input = input,
            InputError = inputError,
            Retry = compensate.Retry,
        });
    }
}
