using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Workflows;

/// <summary>A tool step's latency as the orchestrator saw it: from its step-start to its step-complete event.</summary>
public readonly record struct StepTiming(long Sequence, string Path, double Milliseconds);

/// <summary>
/// What the benchmark learns about one run from its lifecycle events. Events may arrive out of order
/// or twice (at-least-once delivery), so they are de-duplicated by sequence and paired by path.
/// </summary>
public sealed class RunTracker(Guid runId, Action? toolStepCompleted = null)
{
    private readonly Lock _gate = new();
    private readonly HashSet<long> _seen = [];
    private readonly Dictionary<string, DateTimeOffset> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _completed = new(StringComparer.Ordinal);
    private readonly List<StepTiming> _steps = [];
    private readonly TaskCompletionSource<WorkflowLifecycleEvent> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _suspended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Guid RunId { get; } = runId;

    /// <summary>The terminal event (workflow-complete, -error or -cancelled).</summary>
    public Task<WorkflowLifecycleEvent> Finished => _finished.Task;

    /// <summary>Completes when a step of the run waits for a signal.</summary>
    public Task Suspended => _suspended.Task;

    public DateTimeOffset? StartedAt { get; private set; }

    public void Observe(WorkflowLifecycleEvent e)
    {
        lock (_gate)
        {
            if (!_seen.Add(e.Sequence))
            {
                return;
            }

            switch (e.Type)
            {
                case LifecycleEventTypes.WorkflowStart:
                    StartedAt = e.Timestamp;
                    break;
                case LifecycleEventTypes.StepStart when e is { StepType: "tool", Path: { } path }:
                    if (_completed.Remove(path, out var end))
                    {
                        _steps.Add(new StepTiming(e.Sequence, path, (end - e.Timestamp).TotalMilliseconds));
                    }
                    else
                    {
                        _started[path] = e.Timestamp;
                    }

                    break;
                case LifecycleEventTypes.StepComplete when e is { StepType: "tool", Path: { } path }:
                    toolStepCompleted?.Invoke();
                    if (_started.Remove(path, out var start))
                    {
                        _steps.Add(new StepTiming(e.Sequence, path, (e.Timestamp - start).TotalMilliseconds));
                    }
                    else
                    {
                        _completed[path] = e.Timestamp;
                    }

                    break;
                case LifecycleEventTypes.StepSuspended:
                    _suspended.TrySetResult();
                    break;
            }
        }

        if (LifecycleEventTypes.IsTerminal(e.Type))
        {
            _finished.TrySetResult(e);
        }
    }

    /// <summary>Tool step latencies in the order the steps completed.</summary>
    public IReadOnlyList<StepTiming> Steps()
    {
        lock (_gate)
        {
            return _steps.OrderBy(s => s.Sequence).ToList();
        }
    }
}
