using System.Collections.Concurrent;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Workflows;

/// <summary>Routes the lifecycle events the benchmark's bus receives to the runs it is waiting for.</summary>
public sealed class RunObserver
{
    private readonly ConcurrentDictionary<Guid, RunTracker> _runs = new();

    public RunTracker Track(Guid runId) => _runs.GetOrAdd(runId, static id => new RunTracker(id));

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
