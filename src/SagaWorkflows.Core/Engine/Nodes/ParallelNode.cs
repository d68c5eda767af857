using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Core.Engine.Nodes;

/// <summary>
/// <c>parallel</c>: every named branch starts at once with the parallel's input; the output is
/// <c>{ branch: lastOutput }</c> in definition order, whatever order the branches finish in.
/// </summary>
internal sealed class ParallelNode : INodeExecutor
{
    public Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state)
    {
        var parallel = (ParallelStep)step;
        var running = new ParallelState { Path = path, StartedAt = context.Now };
        state = running;
        foreach (var (name, _) in parallel.Branches)
        {
            running.Running[name] = new SequenceFrame { Last = input?.DeepClone() };
        }

        foreach (var (name, steps) in parallel.Branches)
        {
            var outcome = SequenceRunner.Advance(steps, BranchScope(scope, running, name), context);
            if (Settle(running, name, outcome) is { } failed)
            {
                return failed;
            }
        }

        return Finish(parallel, running);
    }

    public Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event)
    {
        var parallel = (ParallelStep)step;
        var running = (ParallelState)state;
        var handled = false;
        foreach (var (name, steps) in parallel.Branches)
        {
            if (!running.Running.ContainsKey(name))
            {
                continue;
            }

            var outcome = SequenceRunner.Deliver(steps, BranchScope(scope, running, name), context, @event);
            if (!outcome.Handled)
            {
                continue;
            }

            handled = true;
            if (Settle(running, name, outcome) is { } failed)
            {
                return failed;
            }

            if (!ContainerNode.IsBroadcast(@event))
            {
                break;
            }
        }

        return handled ? Finish(parallel, running) : Outcome.NotFound;
    }

    public IEnumerable<NodeState> Descendants(StepDefinition step, NodeState state)
    {
        var parallel = (ParallelStep)step;
        var running = (ParallelState)state;
        foreach (var (name, steps) in parallel.Branches)
        {
            if (running.Running.TryGetValue(name, out var frame))
            {
                foreach (var child in SequenceRunner.Descendants(steps, frame))
                {
                    yield return child;
                }
            }
        }
    }

    private static Scope BranchScope(Scope scope, ParallelState state, string branch) =>
        scope.Child(state.Running[branch], state.Path + ".");

    private static Outcome? Settle(ParallelState state, string branch, Outcome outcome)
    {
        switch (outcome.Kind)
        {
            case OutcomeKind.Completed:
                state.Running.Remove(branch);
                state.Results[branch] = outcome.Output;
                return null;
            case OutcomeKind.Failed:
                return outcome;
            default:
                return null;
        }
    }

    private static Outcome Finish(ParallelStep step, ParallelState state)
    {
        if (state.Running.Count > 0)
        {
            return Outcome.Pending;
        }

        var output = new JsonObject();
        foreach (var (name, _) in step.Branches)
        {
            output[name] = state.Results.GetValueOrDefault(name)?.DeepClone();
        }

        return Outcome.Completed(output);
    }
}
