using System.Text.Json;

namespace SagaWorkflows.Benchmarks.Messages;

// The step-floor scenario's imitation of the product's messages: the fields a step's command, reply and
// lifecycle events carry (ExecuteTool, StepCompleted, WorkflowLifecycleEvent), of about their size. Types
// of their own, so nothing of the product (the bridge queue, a saga) ever receives them.

/// <summary>Starts a floor run, as <c>StartWorkflow</c> does: sent to the floor orchestrator's queue.</summary>
public sealed record FloorStartRun
{
    public Guid RunId { get; init; }
    public string WorkflowId { get; init; } = "";
    public DateTimeOffset Timestamp { get; init; }
    public JsonElement? Data { get; init; }
}

/// <summary>Step <see cref="Sequence"/> (1-based) of a run, for the floor worker: <c>ExecuteTool</c>'s place.</summary>
public sealed record FloorExecuteStep
{
    public Guid RunId { get; init; }
    public Guid ExecutionId { get; init; }
    public string StepId { get; init; } = "";
    public string Path { get; init; } = "";
    public string Tool { get; init; } = "";
    public int Attempt { get; init; } = 1;
    public int Sequence { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public JsonElement? Data { get; init; }
}

/// <summary>The floor worker's reply, sent to the floor orchestrator's queue: <c>StepCompleted</c>'s place.</summary>
public sealed record FloorStepCompleted
{
    public Guid RunId { get; init; }
    public Guid ExecutionId { get; init; }
    public string StepId { get; init; } = "";
    public string Path { get; init; } = "";
    public int Attempt { get; init; }
    public int Sequence { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public JsonElement? Data { get; init; }
}

/// <summary>Published by the floor orchestrator: <c>WorkflowLifecycleEvent</c>'s place, with the same types.</summary>
public sealed record FloorLifecycleEvent
{
    public Guid RunId { get; init; }
    public string WorkflowId { get; init; } = "";
    public long Sequence { get; init; }
    public string Type { get; init; } = "";
    public string? StepId { get; init; }
    public string? Path { get; init; }
    public string? StepType { get; init; }
    public int? Attempt { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public JsonElement? Data { get; init; }
}
