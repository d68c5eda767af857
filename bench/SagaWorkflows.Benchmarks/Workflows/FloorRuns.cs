using System.Collections.Concurrent;
using SagaWorkflows.Benchmarks.Messages;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Workflows;

/// <summary>
/// <see cref="RunObserver"/> for the step floor: routes its events to the runs waiting for them and counts the
/// steps they complete. A step is complete at its step-complete event, the last one at the terminal event
/// (the floor publishes no step-complete for it).
/// </summary>
public sealed class FloorRunObserver(int steps)
{
    private readonly ConcurrentDictionary<Guid, FloorRunTracker> _runs = new();
    private readonly string _lastPath = FloorOrchestrator.StepPath(steps);
    private long _stepsCompleted;

    public long StepsCompleted => Interlocked.Read(ref _stepsCompleted);

    public FloorRunTracker Track(Guid runId) =>
        _runs.GetOrAdd(runId, id => new FloorRunTracker(id, _lastPath, () => Interlocked.Increment(ref _stepsCompleted)));

    public void Forget(Guid runId) => _runs.TryRemove(runId, out _);

    public void Observe(FloorLifecycleEvent e)
    {
        if (_runs.TryGetValue(e.RunId, out var tracker))
        {
            tracker.Observe(e);
        }
    }
}

/// <summary>
/// <see cref="RunTracker"/> for the step floor: step latencies from the step-start / step-complete event timestamps,
/// de-duplicated by sequence and paired by path whatever order the events arrive in.
/// </summary>
public sealed class FloorRunTracker(Guid runId, string lastPath, Action stepCompleted)
{
    private readonly Lock _gate = new();
    private readonly HashSet<long> _seen = [];
    private readonly Dictionary<string, DateTimeOffset> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _completed = new(StringComparer.Ordinal);
    private readonly List<double> _steps = [];
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Guid RunId { get; } = runId;

    /// <summary>Completes at the terminal event.</summary>
    public Task Finished => _finished.Task;

    public void Observe(FloorLifecycleEvent e)
    {
        lock (_gate)
        {
            if (!_seen.Add(e.Sequence))
            {
                return;
            }

            switch (e.Type)
            {
                case LifecycleEventTypes.StepStart when e.Path is { } path:
                    Pair(_completed, _started, path, e.Timestamp, end => end - e.Timestamp);
                    break;
                case LifecycleEventTypes.StepComplete when e.Path is { } path:
                    stepCompleted();
                    Pair(_started, _completed, path, e.Timestamp, start => e.Timestamp - start);
                    break;
                case LifecycleEventTypes.WorkflowComplete:
                    stepCompleted();
                    Pair(_started, _completed, lastPath, e.Timestamp, start => e.Timestamp - start);
                    break;
            }
        }

        if (LifecycleEventTypes.IsTerminal(e.Type))
        {
            _finished.TrySetResult();
        }
    }

    /// <summary>Step latencies in milliseconds, in no particular order.</summary>
    public IReadOnlyList<double> Steps()
    {
        lock (_gate)
        {
            return _steps.ToList();
        }
    }

    /// <summary>Records the step's latency if its other end has arrived, else remembers this end.</summary>
    private void Pair(Dictionary<string, DateTimeOffset> other, Dictionary<string, DateTimeOffset> mine, string path, DateTimeOffset timestamp,
        Func<DateTimeOffset, TimeSpan> latency)
    {
        if (other.Remove(path, out var otherEnd))
        {
            _steps.Add(latency(otherEnd).TotalMilliseconds);
        }
        else
        {
            mine[path] = timestamp;
        }
    }
}
