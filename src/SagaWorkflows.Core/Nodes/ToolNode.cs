using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Nodes;

/// <summary><c>tool</c>: a command to the worker(s) hosting <see cref="Tool"/>; its output is what the tool returned.</summary>
public sealed record ToolStep : StepDefinition
{
    public const string TypeName = "tool";

    public override string Type => TypeName;
    public required string Tool { get; init; }
    public JsonNode? Input { get; init; }
    public StepRetryPolicy? Retry { get; init; }
    public TimeSpan? Timeout { get; init; }
    public CompensationDefinition? Compensate { get; init; }
}

/// <summary>How a completed <c>tool</c> step is undone when the run fails or is cancelled.</summary>
public sealed record CompensationDefinition
{
    public required string Tool { get; init; }
    public JsonNode? Input { get; init; }
    public StepRetryPolicy? Retry { get; init; }
}

/// <summary>
/// <c>tool</c>: sends <see cref="ExecuteTool"/> to the tool's own queue. Input is the rendered
/// <c>input</c> template, or the previous step's output. On success, a declared compensation is
/// recorded with its input rendered now, while the step's output is at hand.
/// </summary>
internal sealed class ToolNode : ActivityNode<ToolStep>
{
    private static readonly HashSet<string> CompensateProperties = ["tool", "input", "retry"];

    public override string Name => ToolStep.TypeName;

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "tool", "input", "retry", "timeout", "compensate" };

    protected override ToolStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader)
    {
        var tool = reader.RequiredName(json, "tool", path) ?? "";
        var input = json["input"];
        if (input is not null)
        {
            reader.CheckTemplates(input, $"{path}.input");
        }

        CompensationDefinition? compensate = null;
        if (json["compensate"] is { } c)
        {
            var cPath = $"{path}.compensate";
            if (c is not JsonObject cObj)
            {
                reader.Error(cPath, "must be an object with 'tool' and optional 'input'");
            }
            else
            {
                reader.CheckUnknown(cObj, cPath, CompensateProperties);
                var cInput = cObj["input"];
                if (cInput is not null)
                {
                    reader.CheckTemplates(cInput, $"{cPath}.input");
                }

                compensate = new CompensationDefinition
                {
                    Tool = reader.RequiredName(cObj, "tool", cPath) ?? "",
                    Input = cInput?.DeepClone(),
                    Retry = reader.ReadRetry(cObj, cPath),
                };
            }
        }

        return new ToolStep
        {
            Id = id,
            JsonPath = path,
            Tool = tool,
            Input = input?.DeepClone(),
            Retry = reader.ReadRetry(json, path),
            Timeout = reader.OptionalDuration(json, "timeout", path),
            Compensate = compensate,
        };
    }

    protected override IEnumerable<NodePart> PartsOf(ToolStep step)
    {
        if (step.Input is { } input)
        {
            yield return new TemplateValuePart($"{step.JsonPath}.input", input, Sight.Before);
        }

        if (step.Compensate?.Input is { } compensation)
        {
            yield return new TemplateValuePart($"{step.JsonPath}.compensate.input", compensation, Sight.BeforeAndSelf);
        }
    }

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
