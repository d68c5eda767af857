using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Engine.Nodes;

/// <summary>
/// <c>loop</c>: do-until / do-while. The body runs first, then the test sees the body's outputs
/// and <c>iteration</c> (1-based). Only the current iteration is kept, so a long loop does not grow
/// the run; the output is the last iteration's output. Needing more than <c>maxIterations</c> fails.
/// </summary>
internal sealed class LoopNode : INodeExecutor
{
    public Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state)
    {
        var loop = (LoopStep)step;
        var running = new LoopState { Path = path, StartedAt = context.Now, Body = new SequenceFrame { Last = input?.DeepClone() } };
        state = running;
        return Continue(loop, running, scope, context, SequenceRunner.Advance(loop.Steps, BodyScope(scope, running), context));
    }

    public Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event)
    {
        var loop = (LoopStep)step;
        var running = (LoopState)state;
        var outcome = SequenceRunner.Deliver(loop.Steps, BodyScope(scope, running), context, @event);
        return outcome.Handled ? Continue(loop, running, scope, context, outcome) : Outcome.NotFound;
    }

    public IEnumerable<NodeState> Descendants(StepDefinition step, NodeState state) =>
        SequenceRunner.Descendants(((LoopStep)step).Steps, ((LoopState)state).Body);

    private static Outcome Continue(LoopStep loop, LoopState state, Scope scope, RunContext context, Outcome outcome)
    {
        while (outcome.Kind == OutcomeKind.Completed)
        {
            bool again;
            try
            {
                var evaluation = BodyScope(scope, state).ToEvaluation(context.State.Input);
                again = loop.Until is not null
                    ? !context.Expressions.IsTrue(loop.Until, evaluation)
                    : context.Expressions.IsTrue(loop.While!, evaluation);
            }
            catch (ExpressionException ex)
            {
                return Outcome.Fail(StepError.Expression(ex.Message));
            }

            if (!again)
            {
                return outcome;
            }

            if (state.Iteration >= loop.MaxIterations)
            {
                return Outcome.Fail(new StepError(ErrorTypes.MaxIterations,
                    $"loop '{loop.Id}' was still going after maxIterations ({loop.MaxIterations}) iterations"));
            }

            state.Iteration++;
            state.Body = new SequenceFrame { Last = outcome.Output };
            outcome = SequenceRunner.Advance(loop.Steps, BodyScope(scope, state), context);
        }

        return outcome;
    }

    private static Scope BodyScope(Scope scope, LoopState state) =>
        scope.Child(state.Body, $"{state.Path}#{state.Iteration}.", iteration: state.Iteration);
}
