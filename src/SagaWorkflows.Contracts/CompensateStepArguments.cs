using System.Text.Json;

namespace SagaWorkflows.Contracts;

/// <summary>The arguments of one compensation activity of a run's compensation routing slip.</summary>
public sealed record CompensateStepArguments
{
    public Guid RunId { get; init; }
    public string StepId { get; init; } = "";
    public string Path { get; init; } = "";
    public string Tool { get; init; } = "";
    public JsonElement? Input { get; init; }

    /// <summary>Set when the compensation's input could not be rendered: the activity fails with it.</summary>
    public string? InputError { get; init; }

    public StepRetryPolicy? Retry { get; init; }
}
