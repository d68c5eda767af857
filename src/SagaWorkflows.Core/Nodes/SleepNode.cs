using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Nodes;

/// <summary><c>sleep</c>: a durable timer, for <see cref="Duration"/> or until the time <see cref="Until"/> evaluates to.</summary>
public sealed record SleepStep : StepDefinition
{
    public const string TypeName = "sleep";

    public override string Type => TypeName;

    /// <summary>How long to sleep. Exactly one of <see cref="Duration"/> and <see cref="Until"/>.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>A bare expression evaluated when the step starts: an ISO 8601 timestamp with an offset to sleep until.</summary>
    public string? Until { get; init; }
}

/// <summary>A <c>sleep</c> until its timer is due.</summary>
public sealed class SleepState : NodeState
{
    public DateTimeOffset Until { get; set; }
    public JsonNode? Input { get; set; }

    public override IEnumerable<SequenceFrame> Frames() => [];

    public override DateTimeOffset? DueAt(bool halting) => halting ? null : Until;
}

/// <summary>
/// <c>sleep</c>: a durable timer; outputs its input unchanged. <c>duration</c> waits that long; <c>until</c> waits
/// until the timestamp its expression yields when the step starts (a time already past completes at once), so a
/// run can wait for a time carried in its data, like Step Functions' Wait <c>TimestampPath</c>.
/// </summary>
internal sealed class SleepNode : NodeType<SleepStep, SleepState>
{
    /// <summary>ISO 8601 date and time with a <c>Z</c> or <c>±hh:mm</c> offset; seconds and a fraction optional.</summary>
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    public override string Name => SleepStep.TypeName;

    public override string StateName => "sleep";

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "duration", "until" };

    protected override SleepStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader)
    {
        TimeSpan? duration = null;
        string? until = null;
        if (json.ContainsKey("duration") && json.ContainsKey("until"))
        {
            reader.Error(path, "set either 'duration' or 'until', not both");
        }
        else if (json.ContainsKey("until"))
        {
            until = reader.RequiredExpression(json, "until", path);
        }
        else if (json.ContainsKey("duration"))
        {
            duration = reader.OptionalDuration(json, "duration", path);
        }
        else
        {
            reader.Error($"{path}.duration", "is required (or 'until')");
        }

        return new SleepStep { Id = id, JsonPath = path, Duration = duration, Until = until };
    }

    protected override IEnumerable<NodePart> PartsOf(SleepStep step) =>
        step.Until is { } until ? [new ExpressionPart($"{step.JsonPath}.until", until, Sight.Before)] : [];

    protected override Outcome StartNode(SleepStep step, string path, JsonNode? input, Scope scope, RunContext context, out SleepState? state)
    {
        state = null;
        DateTimeOffset wakeAt;
        if (step.Until is { } until)
        {
            var due = Due(step, until, scope, context);
            if (due.Error is { } error)
            {
                return Outcome.Fail(error);
            }

            wakeAt = due.At;
        }
        else
        {
            wakeAt = context.Now + (step.Duration ?? TimeSpan.Zero);
        }

        if (wakeAt <= context.Now)
        {
            return Outcome.Completed(input?.DeepClone());
        }

        state = new SleepState { Path = path, StartedAt = context.Now, Until = wakeAt, Input = input?.DeepClone() };
        context.Effects.Add(new ScheduleWake(wakeAt));
        return Outcome.Pending;
    }

    protected override Outcome DeliverNode(SleepStep step, SleepState state, Scope scope, RunContext context, RunEvent @event) =>
        @event is TimerElapsed && state.Until <= context.Now
            ? Outcome.Completed(state.Input)
            : Outcome.NotFound;

    /// <summary>When <c>until</c> says to wake: its value as a timestamp, no further away than a <c>duration</c> may be.</summary>
    private static (DateTimeOffset At, StepError? Error) Due(SleepStep step, string until, Scope scope, RunContext context)
    {
        var field = $"{step.JsonPath}.until";
        JsonNode? value;
        try
        {
            value = context.Expressions.Evaluate(until, scope.ToEvaluation(context.State.Input));
        }
        catch (ExpressionException ex)
        {
            return (default, StepError.Expression($"{field}: {ex.Message}"));
        }

        if (value is not JsonValue text || text.GetValueKind() != JsonValueKind.String
            || !DateTimeOffset.TryParseExact(text.GetValue<string>(), TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            || !HasOffset(text.GetValue<string>()))
        {
            var shown = value is null ? "null" : value.ToJsonString();
            if (shown.Length > 100)
            {
                shown = string.Concat(shown.AsSpan(0, 100), "…");
            }

            return (default, StepError.Expression(
                $"{field}: `{until}` must evaluate to an ISO 8601 timestamp with an offset, such as 2026-05-01T09:00:00Z or 2026-05-01T11:00:00+02:00, not {shown}"));
        }

        var max = context.Workflow.Limits.MaxDuration;
        if (at - context.Now > max)
        {
            return (default, StepError.Expression(
                $"{field}: `{until}` is {at:O}, {XmlConvert.ToString(at - context.Now)} from now; a sleep waits at most {XmlConvert.ToString(max)} ({WorkflowLimits.SectionName}:{nameof(WorkflowLimits.MaxDuration)})"));
        }

        return (at, null);
    }

    /// <summary><c>K</c> also parses a time without a zone (as local time): a wake-up time must say which offset it means.</summary>
    private static bool HasOffset(string timestamp) =>
        timestamp.EndsWith('Z') || (timestamp.Length > 6 && timestamp[^6] is '+' or '-' && timestamp[^3] == ':');
}
