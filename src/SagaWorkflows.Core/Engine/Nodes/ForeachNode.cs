using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Engine.Nodes;

/// <summary>
/// <c>foreach</c>: runs the body once per element of <c>items</c>, at most <c>concurrency</c>
/// iterations in flight; <c>item</c> and <c>index</c> are in scope and the item is the body's input.
/// The output lists each iteration's last output in item order, whatever the completion order.
/// </summary>
internal sealed class ForeachNode : INodeExecutor
{
    public Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state)
    {
        var foreachStep = (ForeachStep)step;
        state = null;
        JsonNode? items;
        try
        {
            items = context.Expressions.Evaluate(foreachStep.Items, scope.ToEvaluation(context.State.Input));
        }
        catch (ExpressionException ex)
        {
            return Outcome.Fail(StepError.Expression(ex.Message));
        }

        if (items is not JsonArray array)
        {
            var kind = items is null ? "null" : items.GetValueKind().ToString().ToLowerInvariant();
            return Outcome.Fail(StepError.Expression($"items `{foreachStep.Items}` must evaluate to an array, not {kind}"));
        }

        var limit = context.Workflow.Limits.MaxForeachItems;
        if (array.Count > limit)
        {
            return Outcome.Fail(new StepError(ErrorTypes.PayloadTooLarge,
                $"items `{foreachStep.Items}` evaluated to {array.Count} elements; the limit is {limit} ({WorkflowLimits.SectionName}:{nameof(WorkflowLimits.MaxForeachItems)})"));
        }

        var running = new ForeachState
        {
            Path = path,
            StartedAt = context.Now,
            Items = (JsonArray)array.DeepClone(),
            Results = new JsonNode?[array.Count],
        };
        state = running;
        return Fill(foreachStep, running, scope, context);
    }

    public Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event)
    {
        var foreachStep = (ForeachStep)step;
        var running = (ForeachState)state;
        var handled = false;
        foreach (var index in running.Running.Keys.Order().ToList())
        {
            var outcome = SequenceRunner.Deliver(foreachStep.Steps, IterationScope(scope, running, index), context, @event);
            if (!outcome.Handled)
            {
                continue;
            }

            handled = true;
            if (Settle(running, index, outcome) is { } failed)
            {
                return failed;
            }

            if (!ContainerNode.IsBroadcast(@event))
            {
                break;
            }
        }

        return handled ? Fill(foreachStep, running, scope, context) : Outcome.NotFound;
    }

    public IEnumerable<NodeState> Descendants(StepDefinition step, NodeState state)
    {
        var foreachStep = (ForeachStep)step;
        foreach (var frame in ((ForeachState)state).Running.Values)
        {
            foreach (var child in SequenceRunner.Descendants(foreachStep.Steps, frame))
            {
                yield return child;
            }
        }
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
