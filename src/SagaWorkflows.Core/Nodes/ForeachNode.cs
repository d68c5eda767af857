using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Nodes;

/// <summary><c>foreach</c>: <see cref="Steps"/> once per element of <see cref="Items"/>, at most <see cref="Concurrency"/> at once.</summary>
public sealed record ForeachStep : StepDefinition
{
    public const string TypeName = "foreach";

    public override string Type => TypeName;
    public required string Items { get; init; }
    public int Concurrency { get; init; } = 1;
    public required IReadOnlyList<StepDefinition> Steps { get; init; }
}

/// <summary>A running <c>foreach</c>.</summary>
public sealed class ForeachState : NodeState
{
    public JsonArray Items { get; set; } = [];
    public int NextIndex { get; set; }
    public Dictionary<int, SequenceFrame> Running { get; set; } = [];
    public JsonNode?[] Results { get; set; } = [];
    public int CompletedCount { get; set; }

    public override IEnumerable<SequenceFrame> Frames() => Running.Values;
}

/// <summary>
/// <c>foreach</c>: runs the body once per element of <c>items</c>, at most <c>concurrency</c>
/// iterations in flight; <c>item</c> and <c>index</c> are in scope and the item is the body's input.
/// The output lists each iteration's last output in item order, whatever the completion order.
/// </summary>
internal sealed class ForeachNode : NodeType<ForeachStep, ForeachState>
{
    public override string Name => ForeachStep.TypeName;

    public override string StateName => "foreach";

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "items", "concurrency", "steps" };

    public override bool IsContainer => true;

    protected override ForeachStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader) => new()
    {
        Id = id,
        JsonPath = path,
        Items = reader.RequiredExpression(json, "items", path) ?? "",
        Concurrency = reader.OptionalInt(json, "concurrency", path, min: 1, max: reader.Limits.MaxConcurrency, "MaxConcurrency") ?? 1,
        Steps = reader.ReadStepList(json, "steps", path, required: true, allowEmpty: false),
    };

    protected override IEnumerable<NodePart> PartsOf(ForeachStep step) =>
        [new ExpressionPart($"{step.JsonPath}.items", step.Items, Sight.Before), new StepsPart(step.Steps)];

    protected override Outcome StartNode(ForeachStep step, string path, JsonNode? input, Scope scope, RunContext context, out ForeachState? state)
    {
        state = null;
        JsonNode? items;
        try
        {
            items = context.Expressions.Evaluate(step.Items, scope.ToEvaluation(context.State.Input));
        }
        catch (ExpressionException ex)
        {
            return Outcome.Fail(StepError.Expression(ex.Message));
        }

        if (items is not JsonArray array)
        {
            var kind = items is null ? "null" : items.GetValueKind().ToString().ToLowerInvariant();
            return Outcome.Fail(StepError.Expression($"items `{step.Items}` must evaluate to an array, not {kind}"));
        }

        var limit = context.Workflow.Limits.MaxForeachItems;
        if (array.Count > limit)
        {
            return Outcome.Fail(new StepError(ErrorTypes.PayloadTooLarge,
                $"items `{step.Items}` evaluated to {array.Count} elements; the limit is {limit} ({WorkflowLimits.SectionName}:{nameof(WorkflowLimits.MaxForeachItems)})"));
        }

        var running = new ForeachState
        {
            Path = path,
            StartedAt = context.Now,
            Items = (JsonArray)array.DeepClone(),
            Results = new JsonNode?[array.Count],
        };
        state = running;
        return Fill(step, running, scope, context);
    }

    protected override Outcome DeliverNode(ForeachStep step, ForeachState state, Scope scope, RunContext context, RunEvent @event)
    {
        var handled = false;
        foreach (var index in state.Running.Keys.Order().ToList())
        {
            var outcome = SequenceRunner.Deliver(step.Steps, IterationScope(scope, state, index), context, @event);
            if (!outcome.Handled)
            {
                continue;
            }

            handled = true;
            if (Settle(state, index, outcome) is { } failed)
            {
                return failed;
            }

            if (!IsBroadcast(@event))
            {
                break;
            }
        }

        // A halt (a failure elsewhere) can leave free slots with items not started: a redrive's timer fills them.
        var unfilled = @event is TimerElapsed && !context.Halting && state.Running.Count < step.Concurrency && state.NextIndex < state.Items.Count;
        return handled || unfilled ? Fill(step, state, scope, context) : Outcome.NotFound;
    }

    /// <summary>Starts iterations up to the concurrency limit; completes when every item is done.</summary>
    private static Outcome Fill(ForeachStep step, ForeachState state, Scope scope, RunContext context)
    {
        while (state.Running.Count < step.Concurrency && state.NextIndex < state.Items.Count && !context.Halting)
        {
            var index = state.NextIndex++;
            state.Running[index] = new SequenceFrame { Last = state.Items[index]?.DeepClone() };
            var outcome = SequenceRunner.Advance(step.Steps, IterationScope(scope, state, index), context);
            if (Settle(state, index, outcome) is { } failed)
            {
                return failed;
            }
        }

        return state.CompletedCount == state.Items.Count
            ? Outcome.Completed(new JsonArray(state.Results.Select(r => r?.DeepClone()).ToArray()))
            : Outcome.Pending;
    }

    private static Scope IterationScope(Scope scope, ForeachState state, int index) =>
        scope.Child(state.Running[index], $"{state.Path}[{index}].", state.Items[index] ?? JsonValue.Create((string?)null), index);

    private static Outcome? Settle(ForeachState state, int index, Outcome outcome)
    {
        switch (outcome.Kind)
        {
            case OutcomeKind.Completed:
                state.Running.Remove(index);
                state.Results[index] = outcome.Output;
                state.CompletedCount++;
                return null;
            case OutcomeKind.Failed:
                return outcome;
            default:
                return null;
        }
    }
}
