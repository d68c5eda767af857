using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Core.Engine.Nodes;

/// <summary>
/// <c>ai</c>: renders <c>system</c> and <c>prompt</c> here (expressions run only in the
/// orchestrator) and sends <see cref="ExecuteAiStep"/> to the model's queue; the worker asks the
/// registered chat client for <c>outputSchema</c>-shaped JSON and validates it.
/// </summary>
internal sealed class AiNode : ActivityNode<AiStep>
{
    protected override StepRetryPolicy? RetryOf(AiStep step) => step.Retry;

    protected override TimeSpan? TimeoutOf(AiStep step) => step.Timeout;

    protected override JsonNode? PrepareInput(AiStep step, JsonNode? input, Scope scope, RunContext context)
    {
        var evaluation = scope.ToEvaluation(context.State.Input);
        return new JsonObject
        {
            ["system"] = step.System is null ? null : context.Expressions.RenderText(step.System, evaluation),
            ["prompt"] = context.Expressions.RenderText(step.Prompt, evaluation),
        };
    }

    protected override (string Queue, object Command) BuildCommand(AiStep step, ActivityState state, RunContext context) =>
        (QueueNames.Ai(step.Model), new ExecuteAiStep
        {
            RunId = context.State.RunId,
            ExecutionId = state.ExecutionId,
            StepId = step.Id,
            Path = state.Path,
            Model = step.Model,
            Attempt = state.Attempt,
            System = state.Input?["system"]?.GetValue<string>(),
            Prompt = state.Input?["prompt"]?.GetValue<string>() ?? "",
            OutputSchema = RunContext.ToElement(step.OutputSchema),
            Retry = PolicyContract(step.Retry),
            Timeout = step.Timeout,
            Deadline = state.DeadlineAt,
        });
}
