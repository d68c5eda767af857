namespace SagaWorkflows.Core.Engine;

/// <summary>
/// When the run gives up on an attempt of a step with a <c>timeout</c>: the timeout plus a grace (1 s and a
/// tenth of the timeout), so the worker's own timeout report normally arrives first. Workers refuse to
/// start an attempt past it, since nothing would wait for its result or undo it.
/// </summary>
public static class AttemptDeadline
{
    public static DateTimeOffset? After(TimeSpan? timeout, DateTimeOffset from) =>
        timeout is { } t ? from + t + TimeSpan.FromSeconds(1) + (t / 10) : null;
}
