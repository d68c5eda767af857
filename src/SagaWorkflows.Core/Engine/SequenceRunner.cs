using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Expressions;
using SagaWorkflows.Core.Nodes;

namespace SagaWorkflows.Core.Engine;

/// <summary>
/// Runs a list of steps one after another: each step's output is the next one's default input and
/// is visible to later expressions as <c>steps.&lt;id&gt;</c>. Emits the start/complete/error events of
/// every node, so node types only decide what their node does.
/// </summary>
internal static class SequenceRunner
{
    /// <summary>Starts steps from the frame's position until one is pending or the list is done.</summary>
    public static Outcome Advance(IReadOnlyList<StepDefinition> steps, Scope scope, RunContext context)
    {
        var frame = scope.Frame;
        while (true)
        {
            if (frame.Current is not null)
            {
                return Outcome.Pending;
            }

            if (frame.Index >= steps.Count)
            {
                return Outcome.Completed(frame.Last);
            }

            if (context.Halting)
            {
                return Outcome.Pending;
            }

            if (context.OutOfBudget)
            {
                // The rest of the sequence goes on in the run's next transition, so one message never does unbounded work.
                frame.Yielded = true;
                context.Yielded = true;
                context.State.Continuing = true;
                return Outcome.Pending;
            }

            var step = steps[frame.Index];
            var path = scope.PathOf(step.Id);
            var nodeType = NodeTypes.Of(step);
            var input = frame.Last;
            StepError? invalid = null;
            try
            {
                input = nodeType.Prepare(step, frame.Last, scope, context);
                if (nodeType.HasAttempts)
                {
                    // What a command to a worker carries.
                    invalid = context.CheckPayload($"the input of step '{step.Id}'", input, path);
                }
            }
            catch (ExpressionException ex)
            {
                invalid = StepError.Expression(ex.Message);
            }

            var startData = new System.Text.Json.Nodes.JsonObject { ["input"] = invalid?.Type == ErrorTypes.PayloadTooLarge ? null : input?.DeepClone() };
            if (invalid is null)
            {
                nodeType.DescribeStart(step, path, context, startData);
            }

            context.Emit(LifecycleEventTypes.StepStart, step, path, nodeType.HasAttempts ? 1 : null, startData);
            if (invalid is not null)
            {
                return Fail(step, path, null, invalid, context);
            }

            var outcome = nodeType.Start(step, path, input, scope, context, out var state);
            switch (outcome.Kind)
            {
                case OutcomeKind.Completed:
                    Complete(step, path, null, outcome, scope, context);
                    continue;
                case OutcomeKind.Failed:
                    if (state is not null)
                    {
                        state.Failed = true;
                        frame.Current = state;
                    }

                    return Fail(step, path, null, outcome.Error!, context);
                default:
                    // The pending step keeps what it needs of its input in its own state, and its output replaces
                    // Last when it completes: holding on to the input would store a copy of it with every
                    // transition (a foreach's whole item list in the root frame, the parallel's input per branch).
                    frame.Current = state;
                    frame.Last = null;
                    return Outcome.Pending;
            }
        }
    }

    /// <summary>Routes an event to the frame's current step and continues the sequence when it finishes.</summary>
    public static Outcome Deliver(IReadOnlyList<StepDefinition> steps, Scope scope, RunContext context, RunEvent @event)
    {
        var frame = scope.Frame;
        if (frame.Current is not { } state)
        {
            if (frame.Yielded && @event is TimerElapsed)
            {
                frame.Yielded = false;
                return Advance(steps, scope, context);
            }

            return Outcome.NotFound;
        }

        var step = steps[frame.Index];
        var outcome = NodeTypes.Of(step).Deliver(step, state, scope, context, @event);
        if (state.Failed)
        {
            // A failed node only relays its descendants' reports; it never completes or fails again.
            return outcome.Handled ? Outcome.Pending : Outcome.NotFound;
        }

        switch (outcome.Kind)
        {
            case OutcomeKind.Completed:
                frame.Current = null;
                Complete(step, state.Path, state, outcome, scope, context);
                return Advance(steps, scope, context);
            case OutcomeKind.Failed:
                state.Failed = true;
                return Fail(step, state.Path, state, outcome.Error!, context);
            default:
                return outcome;
        }
    }

    private static void Complete(StepDefinition step, string path, NodeState? state, Outcome outcome, Scope scope, RunContext context)
    {
        var frame = scope.Frame;
        if (StepReferences.IsReferenced(context.Workflow, step.Id))
        {
            frame.Outputs[step.Id] = outcome.Output;
        }

        frame.Last = outcome.Output;
        frame.Index++;
        context.Emit(LifecycleEventTypes.StepComplete, step, path, (state as ActivityState)?.Attempt,
            new System.Text.Json.Nodes.JsonObject { ["output"] = outcome.Output?.DeepClone() });
    }

    /// <summary>Reports the failure; the error keeps the path of the innermost step that failed.</summary>
    private static Outcome Fail(StepDefinition step, string path, NodeState? state, StepError error, RunContext context)
    {
        var located = error.Path is null ? error with { Path = path } : error;
        context.Emit(LifecycleEventTypes.StepError, step, path, (state as ActivityState)?.Attempt, RunContext.ErrorData(located));
        return Outcome.Fail(located);
    }
}
