using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Nodes;

/// <summary><c>ai</c>: a prompt for the registered chat model <see cref="Model"/>, optionally asking for <see cref="OutputSchema"/>-shaped JSON.</summary>
public sealed record AiStep : StepDefinition
{
    public const string TypeName = "ai";

    public override string Type => TypeName;
    public required string Model { get; init; }
    public string? System { get; init; }
    public required string Prompt { get; init; }
    public JsonNode? OutputSchema { get; init; }
    public StepRetryPolicy? Retry { get; init; }
    public TimeSpan? Timeout { get; init; }

    /// <summary><c>stream</c>: the worker asks the model for a streamed reply and publishes its text as it grows (<c>step-progress</c>).</summary>
    public bool Stream { get; init; }
}

/// <summary>
/// <c>ai</c>: renders <c>system</c> and <c>prompt</c> here (expressions run only in the
/// orchestrator) and sends <see cref="ExecuteAiStep"/> to the model's queue; the worker asks the
/// registered chat client for <c>outputSchema</c>-shaped JSON and validates it.
/// </summary>
internal sealed class AiNode : ActivityNode<AiStep>
{
    public override string Name => AiStep.TypeName;

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "model", "system", "prompt", "outputSchema", "retry", "timeout", "stream" };

    protected override AiStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader)
    {
        var prompt = reader.RequiredString(json, "prompt", path) ?? "";
        reader.CheckTemplates(JsonValue.Create(prompt), $"{path}.prompt");
        var system = reader.OptionalString(json, "system", path);
        if (system is not null)
        {
            reader.CheckTemplates(JsonValue.Create(system), $"{path}.system");
        }

        return new AiStep
        {
            Id = id,
            JsonPath = path,
            Model = reader.RequiredName(json, "model", path) ?? "",
            Prompt = prompt,
            System = system,
            OutputSchema = reader.OptionalSchema(json, "outputSchema", path)?.DeepClone(),
            Retry = reader.ReadRetry(json, path),
            Timeout = reader.OptionalDuration(json, "timeout", path),
            Stream = reader.OptionalBool(json, "stream", path) ?? false,
        };
    }

    protected override IEnumerable<NodePart> PartsOf(AiStep step)
    {
        if (step.System is { } system)
        {
            yield return new TemplateValuePart($"{step.JsonPath}.system", JsonValue.Create(system), Sight.Before);
        }

        yield return new TemplateValuePart($"{step.JsonPath}.prompt", JsonValue.Create(step.Prompt), Sight.Before);
    }

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
            Stream = step.Stream,
            WorkflowId = context.State.WorkflowId,
        });
}
