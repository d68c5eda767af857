using System.Text.Json.Nodes;

namespace SagaWorkflows.WorkerSdk.Tools;

/// <summary>One attempt of one step execution, as a tool sees it.</summary>
public sealed record ToolContext
{
    public required Guid RunId { get; init; }

    /// <summary>Stable across attempts and duplicates of the same step execution: an idempotency key.</summary>
    public required Guid ExecutionId { get; init; }

    public required string StepId { get; init; }
    public required string Path { get; init; }

    /// <summary>1 for the first attempt.</summary>
    public required int Attempt { get; init; }

    public JsonNode? Input { get; init; }

    /// <summary>True when the tool runs as the compensation of a completed step.</summary>
    public bool IsCompensation { get; init; }

    public required IServiceProvider Services { get; init; }
}
