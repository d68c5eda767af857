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

    /// <summary>No new step may start: the run is failing or being cancelled.</summary>
    public bool Halting => State.Halt is not null;

    /// <summary>Publishes the run's next event. Every event about a step carries its id and path at the top level:
    /// from <paramref name="step"/>, or <paramref name="stepId"/> and <paramref name="stepType"/> when the step is known only by its record.</summary>
    public void Emit(string type, StepDefinition? step = null, string? path = null, int? attempt = null, JsonNode? data = null,
        string? stepId = null, string? stepType = null)
    {
        State.Sequence++;
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
