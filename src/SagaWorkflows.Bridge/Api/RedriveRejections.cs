using SagaWorkflows.Bridge.Streaming;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// Hands the orchestrator's refusals of redrives, by run and the failure they named, to the redrive requests waiting on
/// them. Refusals nobody waits for (commands sent by others, or through another bridge) are dropped.
/// </summary>
public sealed class RedriveRejections
{
    private readonly KeyedWaiters<(Guid RunId, long? AfterSequence), RedriveRejected> _waiters = new();

    public void Add(RedriveRejected rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        _waiters.Notify((rejection.RunId, rejection.AfterSequence), rejection);
    }

    /// <summary>
    /// Calls <paramref name="then"/> with the refusal of a redrive of <paramref name="runId"/> after
    /// <paramref name="afterSequence"/> that arrives from now on, unless disposed first; it must not block.
    /// </summary>
    internal IDisposable WhenRejected(Guid runId, long? afterSequence, Action<RedriveRejected> then) =>
        _waiters.Add((runId, afterSequence), _ => true, then);
}
