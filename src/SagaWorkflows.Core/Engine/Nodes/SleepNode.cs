using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Core.Engine.Nodes;

/// <summary><c>sleep</c>: a durable timer; outputs its input unchanged.</summary>
internal sealed class SleepNode : INodeExecutor
{
    public Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state)
    {
        var sleep = (SleepStep)step;
        state = null;
        if (sleep.Duration <= TimeSpan.Zero)
        {
            return Outcome.Completed(input?.DeepClone());
        }

        state = new SleepState { Path = path, StartedAt = context.Now, Until = context.Now + sleep.Duration, Input = input?.DeepClone() };
        context.Effects.Add(new ScheduleWake(context.Now + sleep.Duration));
        return Outcome.Pending;
    }

    public Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event)
    {
        var sleeping = (SleepState)state;
        return @event is TimerElapsed && sleeping.Until <= context.Now
            ? Outcome.Completed(sleeping.Input)
            : Outcome.NotFound;
    }

    public IEnumerable<NodeState> Descendants(StepDefinition step, NodeState state) => [];
}
