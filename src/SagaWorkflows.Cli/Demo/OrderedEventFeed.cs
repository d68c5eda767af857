using SagaWorkflows.Contracts;

namespace SagaWorkflows.Cli.Demo;

/// <summary>
/// Hands a run's events on in Sequence order, once each, holding any that overtook an earlier one:
/// the in-memory transport delivers concurrently, and the renderer must see a run's story in order.
/// </summary>
internal sealed class OrderedEventFeed(Action<WorkflowLifecycleEvent> next)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (long Next, SortedDictionary<long, WorkflowLifecycleEvent> Held)> _runs = [];

    public void Add(WorkflowLifecycleEvent e)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(e.RunId, out var run))
            {
                run = (1, new SortedDictionary<long, WorkflowLifecycleEvent>());
            }

            if (e.Sequence >= run.Next)
            {
                run.Held.TryAdd(e.Sequence, e);
            }

            while (run.Held.Remove(run.Next, out var ready))
            {
                next(ready);
                run.Next++;
            }

            _runs[e.RunId] = run;
        }
    }
}
