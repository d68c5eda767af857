using System.Collections.Concurrent;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Workflows;

/// <summary>Routes the lifecycle events the benchmark's bus receives to the runs it is waiting for.</summary>
public sealed class RunObserver
{
    private readonly ConcurrentDictionary<Guid, RunTracker> _runs = new();
    private long _toolStepsCompleted;

    /// <summary>
    /// Tool steps completed so far by tracked runs. Counting steps as they complete, rather than runs, keeps the
    /// throughput honest when a run takes longer than the measured window.
    /// </summary>
    public long ToolStepsCompleted => Interlocked.Read(ref _toolStepsCompleted);

    public RunTracker Track(Guid runId) =>
        _runs.GetOrAdd(runId, id => new RunTracker(id, () => Interlocked.Increment(ref _toolStepsCompleted)));

    public void Forget(Guid runId) => _runs.TryRemove(runId, out _);

    public void Observe(WorkflowLifecycleEvent e)
    {
        // Events of runs nobody waits for any more (a previous scenario's stragglers) are dropped.
        if (_runs.TryGetValue(e.RunId, out var tracker))
        {
            tracker.Observe(e);
        }
    }
}
