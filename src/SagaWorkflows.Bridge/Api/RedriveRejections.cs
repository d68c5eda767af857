using System.Collections.Concurrent;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// The orchestrator's recent refusals of redrives, by run and the failure they named, for the redrive requests
/// waiting on them. Refusals nobody waits for (commands sent by others) are dropped after a while.
/// </summary>
public sealed class RedriveRejections(TimeProvider time)
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<(Guid RunId, long? AfterSequence), (RedriveRejected Rejection, DateTimeOffset At)> _recent = new();

    public void Add(RedriveRejected rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _recent)
        {
            if (now - entry.At > KeepFor)
            {
                _recent.TryRemove(key, out _);
            }
        }

        _recent[(rejection.RunId, rejection.AfterSequence)] = (rejection, now);
    }

    /// <summary>The refusal of a redrive of <paramref name="runId"/> after <paramref name="afterSequence"/>, taken out once seen.</summary>
    public RedriveRejected? Take(Guid runId, long? afterSequence) =>
        _recent.TryRemove((runId, afterSequence), out var entry) ? entry.Rejection : null;
}
