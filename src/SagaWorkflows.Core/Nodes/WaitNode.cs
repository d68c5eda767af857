using System.Text.Json.Nodes;
using System.Xml;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Schemas;

namespace SagaWorkflows.Core.Nodes;

/// <summary><c>wait</c>: suspends its branch until the signal <see cref="Signal"/> arrives, or <see cref="Timeout"/> elapses.</summary>
public sealed record WaitStep : StepDefinition
{
    public const string TypeName = "wait";

    public override string Type => TypeName;
    public required string Signal { get; init; }
    public JsonNode? Schema { get; init; }
    public TimeSpan? Timeout { get; init; }
}

/// <summary>A <c>wait</c> waiting for its signal.</summary>
public sealed class WaitState : NodeState
{
    public string Signal { get; set; } = "";
    public DateTimeOffset? DeadlineAt { get; set; }

    public override IEnumerable<SequenceFrame> Frames() => [];

    public override DateTimeOffset? DueAt(bool halting) => halting ? null : DeadlineAt;
}

/// <summary>
/// <c>wait</c>: the branch it is on waits for <c>SignalWorkflow</c> with its signal; the payload,
/// validated against <c>schema</c>, is the output. An invalid payload is rejected with the reasons
/// and the wait goes on; <c>timeout</c> fails the step. Other branches keep running.
/// </summary>
internal sealed class WaitNode : NodeType<WaitStep, WaitState>
{
    public override string Name => WaitStep.TypeName;

    public override string StateName => "wait";

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "signal", "schema", "timeout" };

    protected override WaitStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader)
    {
        var signal = reader.RequiredName(json, "signal", path) ?? "";
        var schema = reader.OptionalSchema(json, "schema", path);
        return new WaitStep
        {
            Id = id,
            JsonPath = path,
            Signal = signal,
            Schema = schema?.DeepClone(),
            Timeout = reader.OptionalDuration(json, "timeout", path),
        };
    }

    protected override IEnumerable<NodePart> PartsOf(WaitStep step) => [];

    protected override Outcome StartNode(WaitStep step, string path, JsonNode? input, Scope scope, RunContext context, out WaitState? state)
    {
        state = new WaitState
        {
            Path = path,
            StartedAt = context.Now,
            Signal = step.Signal,
            DeadlineAt = step.Timeout is { } t ? context.Now + t : null,
        };
        context.Emit(LifecycleEventTypes.StepSuspended, step, path, data: new JsonObject { ["signal"] = step.Signal });
        if (step.Timeout is { } timeout)
        {
            context.Effects.Add(new ScheduleWake(context.Now + timeout));
        }

        return Outcome.Pending;
    }

    protected override Outcome DeliverNode(WaitStep step, WaitState state, Scope scope, RunContext context, RunEvent @event)
    {
        switch (@event)
        {
            case SignalReceived signal when string.Equals(signal.Signal, state.Signal, StringComparison.Ordinal):
                if (context.CheckPayload($"the payload of signal '{signal.Signal}'", signal.Payload, state.Path) is { } tooLarge)
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

                if (step.Schema is not null)
                {
                    var problems = SchemaValidator.Validate(step.Schema, signal.Payload);
                    if (problems.Count > 0)
                    {
                        context.Effects.Add(new RejectSignal(new SignalRejected
                        {
                            RunId = context.State.RunId,
                            Signal = signal.Signal,
                            Reason = $"payload does not match the schema of wait '{step.Id}': {string.Join("; ", problems)}",
                        }));
                        return Outcome.Pending;
                    }
                }

                return Outcome.Completed(signal.Payload?.DeepClone());

            case TimerElapsed when state.DeadlineAt <= context.Now:
                return Outcome.Fail(new StepError(ErrorTypes.Timeout,
                    $"no '{state.Signal}' signal arrived within {XmlConvert.ToString(step.Timeout!.Value)}"));

            default:
                return Outcome.NotFound;
        }
    }
}
