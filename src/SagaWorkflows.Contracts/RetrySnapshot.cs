using System.Text.Json;

namespace SagaWorkflows.Contracts;

/// <summary>
/// A <c>step-retry</c>: the attempt that failed, the one scheduled next, the delay before it and the error, as the
/// event said them; <see cref="Data"/> is the event's data as it came.
/// </summary>
public sealed record RetrySnapshot
{
    public int? Attempt { get; init; }
    public int? NextAttempt { get; init; }
    public long? DelayMs { get; init; }
    public JsonElement? Error { get; init; }
    public DateTimeOffset At { get; init; }
    public JsonElement? Data { get; init; }
}
