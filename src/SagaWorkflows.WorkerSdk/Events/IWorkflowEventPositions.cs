using System.Collections.Concurrent;

namespace SagaWorkflows.WorkerSdk.Events;

/// <summary>
/// How far each run's stream has been handled: the last <c>Sequence</c> handed to the handler. Keep it where
/// the handler keeps its own results (and in the same transaction, if it has one) for exactly-once effects
/// across restarts; the in-memory default forgets on restart, after which a redelivered event is handled again.
/// </summary>
public interface IWorkflowEventPositions
{
    /// <summary>The last sequence handled for the run; 0 when none was.</summary>
    ValueTask<long> GetAsync(Guid runId, CancellationToken cancellationToken);

    ValueTask SetAsync(Guid runId, long sequence, CancellationToken cancellationToken);
}

/// <summary>Positions in this process's memory: fine for live views and tests, not for effects that must not repeat.</summary>
public sealed class InMemoryWorkflowEventPositions : IWorkflowEventPositions
{
    private readonly ConcurrentDictionary<Guid, long> _positions = new();

    public ValueTask<long> GetAsync(Guid runId, CancellationToken cancellationToken) => ValueTask.FromResult(_positions.GetValueOrDefault(runId));

    public ValueTask SetAsync(Guid runId, long sequence, CancellationToken cancellationToken)
    {
        _positions[runId] = sequence;
        return ValueTask.CompletedTask;
    }
}
