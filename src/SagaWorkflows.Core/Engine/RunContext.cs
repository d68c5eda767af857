using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Engine;

/// <summary>One engine transition: the run, the clock, and the effects collected so far.</summary>
internal sealed class RunContext(WorkflowDefinition workflow, RunState state, DateTimeOffset now, Random random)
{
    public WorkflowDefinition Workflow { get; } = workflow;
    public RunState State { get; } = state;
    public DateTimeOffset Now { get; } = now;
    public Random Random { get; } = random;
    public ExpressionEvaluator Expressions { get; } = new();
    public List<EngineEffect> Effects { get; } = [];

    /// <summary>Events emitted by this transition so far.</summary>
    public int EventsEmitted { get; private set; }

    /// <summary>This transition has done its share (<see cref="WorkflowLimits.MaxEventsPerTransition"/>): the next step
    /// to start waits for a follow-up transition.</summary>
    public bool OutOfBudget => EventsEmitted >= Workflow.Limits.MaxEventsPerTransition;

    /// <summary>A sequence stopped for <see cref="OutOfBudget"/> in this transition: the run asks to be woken at once.</summary>
    public bool Yielded { get; set; }

    /// <summary>No new step may start: the run is failing or being cancelled.</summary>
    public bool Halting => State.Halt is not null;

    /// <summary>Publishes the run's next event. Every event about a step carries its id and path at the top level:
    /// from <paramref name="step"/>, or <paramref name="stepId"/> and <paramref name="stepType"/> when the step is known only by its record.</summary>
    public void Emit(string type, StepDefinition? step = null, string? path = null, int? attempt = null, JsonNode? data = null,
        string? stepId = null, string? stepType = null)
    {
        State.Sequence++;
        EventsEmitted++;
        Effects.Add(new PublishLifecycleEvent(new WorkflowLifecycleEvent
        {
            RunId = State.RunId,
            WorkflowId = State.WorkflowId,
            Sequence = State.Sequence,
            Type = type,
            StepId = step?.Id ?? stepId,
            Path = path,
            StepType = step?.Type ?? stepType,
            Attempt = attempt,
            Timestamp = Now,
            Data = ToElement(data),
        }));
    }

    public void Send(string queue, object command, TimeSpan? timeToLive) => Effects.Add(new SendStepCommand(queue, command, timeToLive));

    public static JsonElement? ToElement(JsonNode? node) =>
        node is null ? null : JsonSerializer.SerializeToElement(node, CoreJson.Options);

    /// <summary>
    /// Refuses a payload (a step's rendered input or output, a signal's payload) longer as JSON than
    /// <see cref="WorkflowLimits.MaxPayloadBytes"/>; null when it fits. Measured without building its text.
    /// </summary>
    public StepError? CheckPayload(string what, JsonNode? payload, string path)
    {
        var limit = Workflow.Limits.MaxPayloadBytes;
        if (payload is null || JsonLength.AtMost(payload, limit))
        {
            return null;
        }

        return new StepError(ErrorTypes.PayloadTooLarge,
            $"{what} is more than {limit} bytes of JSON ({WorkflowLimits.SectionName}:{nameof(WorkflowLimits.MaxPayloadBytes)})", path);
    }

    public static JsonNode ErrorData(StepError error) => new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["type"] = error.Type,
            ["message"] = error.Message,
            ["path"] = error.Path,
        },
    };
}
