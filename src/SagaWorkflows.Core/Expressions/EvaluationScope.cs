using System.Text.Json.Nodes;

namespace SagaWorkflows.Core.Expressions;

/// <summary>What an expression can see: <c>input</c>, <c>steps</c>, and inside foreach/loop bodies
/// <c>item</c>, <c>index</c>, <c>iteration</c>.</summary>
public sealed record EvaluationScope
{
    public JsonNode? Input { get; init; }
    public IReadOnlyDictionary<string, JsonNode?> Steps { get; init; } = new Dictionary<string, JsonNode?>();
    public JsonNode? Item { get; init; }
    public int? Index { get; init; }
    public int? Iteration { get; init; }
}
