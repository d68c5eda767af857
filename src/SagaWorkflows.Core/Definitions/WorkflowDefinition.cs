using System.Text.Json.Nodes;

namespace SagaWorkflows.Core.Definitions;

/// <summary>A parsed, validated workflow definition. Build one with <see cref="WorkflowDefinitionParser"/>.</summary>
public sealed record WorkflowDefinition
{
    public required string Id { get; init; }
    public int Version { get; init; } = 1;
    public JsonNode? InputSchema { get; init; }
    public required IReadOnlyList<StepDefinition> Steps { get; init; }

    /// <summary>Template of the run's output; without it the run outputs its last step's output.</summary>
    public JsonNode? Output { get; init; }

    /// <summary>Bounds the whole run.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The JSON text this definition was parsed from: the snapshot a run keeps.</summary>
    public required string Json { get; init; }

    /// <summary>The limits it was parsed with: the runtime enforces the same ones (events per transition, foreach items, payloads).</summary>
    public WorkflowLimits Limits { get; init; } = WorkflowLimits.Default;
}
