using System.Text.Json.Nodes;
using System.Xml;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Schemas;

namespace SagaWorkflows.Core.Engine.Nodes;

/// <summary>
/// <c>wait</c>: the branch it is on waits for <c>SignalWorkflow</c> with its signal; the payload,
/// validated against <c>schema</c>, is the output. An invalid payload is rejected with the reasons
/// and the wait goes on; <c>timeout</c> fails the step. Other branches keep running.
/// </summary>
internal sealed class WaitNode : INodeExecutor
{
    public Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state)
    {
        var wait = (WaitStep)step;
        state = new WaitState
        {
            Path = path,
            StartedAt = context.Now,
            Signal = wait.Signal,
            DeadlineAt = wait.Timeout is { } t ? context.Now + t : null,
        };
        context.Emit(LifecycleEventTypes.StepSuspended, step, path, data: new JsonObject { ["signal"] = wait.Signal });
        if (wait.Timeout is { } timeout)
        {
            context.Effects.Add(new ScheduleWake(context.Now + timeout));
        }

        return Outcome.Pending;
    }

    public Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event)
    {
        var wait = (WaitStep)step;
        var waiting = (WaitState)state;
        switch (@event)
        {
            case SignalReceived signal when string.Equals(signal.Signal, waiting.Signal, StringComparison.Ordinal):
                if (context.CheckPayload($"the payload of signal '{signal.Signal}'", signal.Payload, waiting.Path) is { } tooLarge)
                {
                    // Refused like a payload that does not match the schema: the wait goes on for a usable one.
                    context.Effects.Add(new RejectSignal(new SignalRejected
                    {
                        RunId = context.State.RunId,
                        Signal = signal.Signal,
                        Reason = $"{tooLarge.Path}: {tooLarge.Message}",
                    }));
                    return Outcome.Pending;
                }

                if (wait.Schema is not null)
                {
                    var problems = SchemaValidator.Validate(wait.Schema, signal.Payload);
                    if (problems.Count > 0)
                    {
                        context.Effects.Add(new RejectSignal(new SignalRejected
                        {
                            RunId = context.State.RunId,
                            Signal = signal.Signal,
                            Reason = $"payload does not match the schema of wait '{wait.Id}': {string.Join("; ", problems)}",
                        }));
                        return Outcome.Pending;
                    }
                }

                return Outcome.Completed(signal.Payload?.DeepClone());

            case TimerElapsed when waiting.DeadlineAt <= context.Now:
                return Outcome.Fail(new StepError(ErrorTypes.Timeout,
                    $"no '{waiting.Signal}' signal arrived within {XmlConvert.ToString(wait.Timeout!.Value)}"));

            default:
                return Outcome.NotFound;
        }
    }

    public IEnumerable<NodeState> Descendants(StepDefinition step, NodeState state) => [];
}
