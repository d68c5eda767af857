using System.Text.Json;

namespace SagaWorkflows.Bridge.Runs;

/// <summary>A <c>step-retry</c>: the attempt that failed and what the event said (error, next delay).</summary>
public sealed record RetrySnapshot(int? Attempt, DateTimeOffset At, JsonElement? Data);
