using SagaWorkflows.Contracts;

namespace SagaWorkflows.IntegrationTests.Infrastructure;

/// <summary>Lifecycle events and signal rejections seen by the test bus, awaitable per run.</summary>
public sealed class EventLog
{
    private readonly Lock _gate = new();
    private readonly List<WorkflowLifecycleEvent> _events = [];
    private readonly List<SignalRejected> _rejections = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(WorkflowLifecycleEvent e)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _events.Add(e);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public void Add(SignalRejected rejection)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _rejections.Add(rejection);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Every event received for the run, duplicates included, in arrival order.</summary>
    public IReadOnlyList<WorkflowLifecycleEvent> Raw(Guid runId)
    {
        lock (_gate)
        {
            return _events.Where(e => e.RunId == runId).ToList();
        }
    }

    /// <summary>Every event received, of any run, that matches <paramref name="predicate"/>, in arrival order.</summary>
    public IReadOnlyList<WorkflowLifecycleEvent> Where(Func<WorkflowLifecycleEvent, bool> predicate)
    {
        lock (_gate)
        {
            return _events.Where(predicate).ToList();
        }
    }

    /// <summary>The run's stream as a consumer would rebuild it: one event per sequence, in order.</summary>
    public IReadOnlyList<WorkflowLifecycleEvent> Of(Guid runId) =>
        Raw(runId).GroupBy(e => e.Sequence).Select(g => g.First()).OrderBy(e => e.Sequence).ToList();

    public IReadOnlyList<SignalRejected> Rejections(Guid runId)
    {
        lock (_gate)
        {
            return _rejections.Where(r => r.RunId == runId).ToList();
        }
    }

    /// <summary>
    /// Waits for the terminal event and every event before it: events of one transition may
    /// overtake each other on the way, so a consumer orders them by Sequence, as the bridge does.
    /// </summary>
    public Task<IReadOnlyList<WorkflowLifecycleEvent>> WaitForTerminalAsync(Guid runId, TimeSpan timeout, Func<string>? diagnostics = null) =>
        WaitForAsync(runId, events => events.FirstOrDefault(e => LifecycleEventTypes.IsTerminal(e.Type)) is { } terminal
            && events.Count(e => e.Sequence <= terminal.Sequence) == terminal.Sequence, timeout, diagnostics);

    public async Task<IReadOnlyList<WorkflowLifecycleEvent>> WaitForAsync(Guid runId, Func<IReadOnlyList<WorkflowLifecycleEvent>, bool> condition,
        TimeSpan timeout, Func<string>? diagnostics = null)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var events = Of(runId);
            if (condition(events))
            {
                return events;
            }

            try
            {
                await changed.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                var seen = string.Join("\n", events.Select(e => $"  {e.Sequence} {e.Type} {e.Path} {e.Data}"));
                throw new TimeoutException($"run {runId}: condition not met within {timeout}. Events so far:\n{seen}\n{diagnostics?.Invoke()}");
            }
        }
    }

    public async Task<SignalRejected> WaitForRejectionAsync(Guid runId, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (Rejections(runId) is [var first, ..])
            {
                return first;
            }

            await changed.WaitAsync(cancellation.Token);
        }
    }
}
