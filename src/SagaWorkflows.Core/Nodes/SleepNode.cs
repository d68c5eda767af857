using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Nodes;

/// <summary><c>sleep</c>: a durable timer of <see cref="Duration"/>.</summary>
public sealed record SleepStep : StepDefinition
{
    public const string TypeName = "sleep";

    public override string Type => TypeName;
    public required TimeSpan Duration { get; init; }
}

/// <summary>A <c>sleep</c> until its timer is due.</summary>
public sealed class SleepState : NodeState
{
    public DateTimeOffset Until { get; set; }
    public JsonNode? Input { get; set; }

    public override IEnumerable<SequenceFrame> Frames() => [];

    public override DateTimeOffset? DueAt(bool halting) => halting ? null : Until;
}

/// <summary><c>sleep</c>: a durable timer; outputs its input unchanged.</summary>
internal sealed class SleepNode : NodeType<SleepStep, SleepState>
{
    public override string Name => SleepStep.TypeName;

    public override string StateName => "sleep";

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "duration" };

    protected override SleepStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader)
    {
        TimeSpan duration = default;
        if (!json.ContainsKey("duration"))
        {
            reader.Error($"{path}.duration", "is required");
        }
        else
        {
            duration = reader.OptionalDuration(json, "duration", path) ?? default;
        }

        return new SleepStep { Id = id, JsonPath = path, Duration = duration };
    }

    protected override IEnumerable<NodePart> PartsOf(SleepStep step) => [];

    protected override Outcome StartNode(SleepStep step, string path, JsonNode? input, Scope scope, RunContext context, out SleepState? state)
    {
        state = null;
        if (step.Duration <= TimeSpan.Zero)
        {
            return Outcome.Completed(input?.DeepClone());
        }

        state = new SleepState { Path = path, StartedAt = context.Now, Until = context.Now + step.Duration, Input = input?.DeepClone() };
        context.Effects.Add(new ScheduleWake(context.Now + step.Duration));
        return Outcome.Pending;
    }

    protected override Outcome DeliverNode(SleepStep step, SleepState state, Scope scope, RunContext context, RunEvent @event) =>
        @event is TimerElapsed && state.Until <= context.Now
            ? Outcome.Completed(state.Input)
            : Outcome.NotFound;
}
