using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Engine.Nodes;

/// <summary>
/// <c>branch</c>: takes the first case whose <c>when</c> is true, else <c>default</c>; its output is
/// the taken path's last output (its input when the path is empty).
/// </summary>
internal sealed class BranchNode : INodeExecutor
{
    public Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state)
    {
        var branch = (BranchStep)step;
        state = null;
        var taken = -1;
        var evaluation = scope.ToEvaluation(context.State.Input);
        try
        {
            for (var i = 0; i < branch.Cases.Count && taken < 0; i++)
            {
                if (context.Expressions.IsTrue(branch.Cases[i].When, evaluation))
                {
                    taken = i;
                }
            }
        }
        catch (ExpressionException ex)
        {
            return Outcome.Fail(StepError.Expression(ex.Message));
        }

        var running = new BranchState { Path = path, StartedAt = context.Now, Case = taken, Body = new SequenceFrame { Last = input?.DeepClone() } };
        state = running;
        return SequenceRunner.Advance(StepsOf(branch, taken), BodyScope(scope, running), context);
    }

    public Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event)
    {
        var running = (BranchState)state;
        return SequenceRunner.Deliver(StepsOf((BranchStep)step, running.Case), BodyScope(scope, running), context, @event);
    }

    public IEnumerable<NodeState> Descendants(StepDefinition step, NodeState state)
    {
        var running = (BranchState)state;
        return SequenceRunner.Descendants(StepsOf((BranchStep)step, running.Case), running.Body);
    }

    private static IReadOnlyList<StepDefinition> StepsOf(BranchStep step, int taken) =>
        taken < 0 ? step.Default : step.Cases[taken].Steps;

    private static Scope BodyScope(Scope scope, BranchState state) => scope.Child(state.Body, state.Path + ".");
}
