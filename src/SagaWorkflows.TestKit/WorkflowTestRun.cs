using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.TestKit;

/// <summary>
/// One run in a <see cref="WorkflowTestKit"/>: its lifecycle events as they arrive (in Sequence order, gapless, once
/// each), its snapshot, waits for what it does, and assertions whose failures list its events.
/// </summary>
public sealed class WorkflowTestRun
{
    private readonly WorkflowTestKit _kit;
    private readonly RunProjection _projection;
    private readonly List<WorkflowLifecycleEvent> _events = [];
    private readonly Lock _lock = new();

    internal WorkflowTestRun(WorkflowTestKit kit, Guid runId, string workflowId)
    {
        _kit = kit;
        RunId = runId;
        _projection = new RunProjection(runId, workflowId);
    }

    public Guid RunId { get; }

    public string WorkflowId
    {
        get
        {
            lock (_lock)
            {
                return _projection.WorkflowId;
            }
        }
    }

    /// <summary>The events so far, in Sequence order (1, 2, 3, … without gaps, each once).</summary>
    public IReadOnlyList<WorkflowLifecycleEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The run as its events tell it: status, output or error, every step with its attempts, retries and compensation.</summary>
    public RunSnapshot Snapshot
    {
        get
        {
            lock (_lock)
            {
                return _projection.Snapshot();
            }
        }
    }

    public RunStatus Status
    {
        get
        {
            lock (_lock)
            {
                return _projection.Status;
            }
        }
    }

    /// <summary>The terminal event, once the run has ended (<c>workflow-complete</c>, <c>workflow-error</c> or <c>workflow-cancelled</c>).</summary>
    public WorkflowLifecycleEvent? Outcome
    {
        get
        {
            lock (_lock)
            {
                return _events.LastOrDefault(e => LifecycleEventTypes.IsTerminal(e.Type));
            }
        }
    }

    /// <summary>
    /// The step execution at <paramref name="path"/> (<c>reserve</c>, <c>ship.makeLabel</c>, <c>perItem[2].charge</c>):
    /// status, <see cref="StepSnapshot.Attempts"/>, <see cref="StepSnapshot.Retries"/>, output, error, compensation.
    /// Throws, listing the run's steps, when no event named it.
    /// </summary>
    public StepSnapshot Step(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        lock (_lock)
        {
            if (_projection.Step(path) is { } step)
            {
                return step;
            }
        }

        var paths = Paths(Snapshot.Steps).ToList();
        throw new WorkflowTestException($"Run {RunId} has no step '{path}'"
            + (paths.Count == 0 ? " (no step has started yet)." : $"; its steps: {string.Join(", ", paths)}.") + "\n" + Describe());
    }

    /// <summary>
    /// Waits for the run to complete and returns its output; throws if it ends otherwise (failed, cancelled), with its
    /// events, or if it does not end within the kit's timeout, saying what it waits for. Time is skipped meanwhile.
    /// </summary>
    public async Task<JsonNode?> CompletedAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var end = await FinishedAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (end.Type != LifecycleEventTypes.WorkflowComplete)
        {
            throw new WorkflowTestException($"Run {RunId} of '{WorkflowId}' ended with {end.Type}, not workflow-complete{Detail(end)}.\n{Describe()}");
        }

        return Snapshot.Output is { } output ? JsonNode.Parse(output.GetRawText()) : null;
    }

    /// <summary>Waits for the run to fail (<c>workflow-error</c>) and returns that event; throws if it ends otherwise.</summary>
    public async Task<WorkflowLifecycleEvent> FailedAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var end = await FinishedAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (end.Type != LifecycleEventTypes.WorkflowError)
        {
            throw new WorkflowTestException($"Run {RunId} of '{WorkflowId}' ended with {end.Type}, not workflow-error.\n{Describe()}");
        }

        return end;
    }

    /// <summary>Waits for the run's terminal event, whatever it is. Time is skipped meanwhile.</summary>
    public Task<WorkflowLifecycleEvent> FinishedAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _kit.WaitAsync(() => Outcome, limit => $"Run {RunId} of '{WorkflowId}' did not finish within {limit} (real time){Waiting()}.\n{Describe()}",
            timeout, cancellationToken);

    /// <summary>
    /// Waits for an event of <paramref name="type"/> (and at <paramref name="path"/>, if given) and returns it; one that
    /// already came counts. Time is skipped meanwhile, so a step after a sleep is reached at once.
    /// </summary>
    public Task<WorkflowLifecycleEvent> WaitForEventAsync(string type, string? path = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        return WaitForEventAsync(e => e.Type == type && (path is null || e.Path == path), path is null ? type : $"{type} {path}", timeout, cancellationToken);
    }

    /// <summary>Waits for the first event matching <paramref name="match"/>; <paramref name="description"/> names it in a failure.</summary>
    public Task<WorkflowLifecycleEvent> WaitForEventAsync(Func<WorkflowLifecycleEvent, bool> match, string description, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        return _kit.WaitAsync(() =>
            {
                lock (_lock)
                {
                    return _events.FirstOrDefault(match);
                }
            },
            limit => $"Run {RunId} of '{WorkflowId}' had no event '{description}' within {limit} (real time){Waiting()}.\n{Describe()}",
            timeout, cancellationToken);
    }

    /// <summary>Sends a signal to the run's <c>wait</c> step.</summary>
    public Task SignalAsync(string signal, object? payload = null, CancellationToken cancellationToken = default) =>
        _kit.SignalAsync(RunId, signal, payload, cancellationToken);

    /// <summary>Cancels the run: it stops, then compensates what completed.</summary>
    public Task CancelAsync(string reason = "cancelled by the test", CancellationToken cancellationToken = default) =>
        _kit.CancelAsync(RunId, reason, cancellationToken);

    /// <summary>
    /// Asserts that the run's events include <paramref name="expected"/> in this order (others may come between). Each
    /// is an event type, optionally followed by a space and a step path: <c>"step-retry charge"</c>,
    /// <c>"step-compensated reserve"</c>, <c>"workflow-complete"</c>.
    /// </summary>
    public void ShouldHaveEvents(params string[] expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var events = Events;
        var position = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var (type, path) = Parse(expected[i]);
            var found = events.Skip(position).Select((e, index) => (e, index)).FirstOrDefault(x => x.e.Type == type && (path is null || x.e.Path == path));
            if (found.e is null)
            {
                var after = position == 0 ? "" : $" after event {events[position - 1].Sequence} ('{expected[i - 1]}')";
                var anywhere = events.FirstOrDefault(e => e.Type == type && (path is null || e.Path == path));
                throw new WorkflowTestException(
                    $"Run {RunId} of '{WorkflowId}': expected the events {string.Join(" → ", expected.Select(x => $"'{x}'"))} in this order; "
                    + $"'{expected[i]}' is missing{after}"
                    + (anywhere is not null ? $" (it is event {anywhere.Sequence}, earlier)" : "") + ".\n" + Describe());
            }

            position += found.index + 1;
        }
    }

    /// <summary>The run's events, one a line, for messages and logs.</summary>
    public string Describe()
    {
        var events = Events;
        var snapshot = Snapshot;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Run {RunId} of '{snapshot.WorkflowId}': {snapshot.Status}, {events.Count} event(s)");
        if (snapshot.HeldEvents > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" (+{snapshot.HeldEvents} held behind a gap)");
        }

        text.Append(':');
        foreach (var e in events)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {e.Sequence,3} {WorkflowTestKit.Format(e.Timestamp)} {e.Type,-22} {e.Path ?? "",-20}");
            if (e.Attempt is { } attempt)
            {
                text.Append(CultureInfo.InvariantCulture, $" attempt {attempt}");
            }

            if (e.Data is { } data && e.Type is not (LifecycleEventTypes.StepStart or LifecycleEventTypes.WorkflowStart))
            {
                text.Append(' ').Append(Shorten(data.GetRawText()));
            }
        }

        return text.ToString();
    }

    public override string ToString() => Describe();

    internal void Apply(WorkflowLifecycleEvent lifecycleEvent)
    {
        lock (_lock)
        {
            _events.AddRange(_projection.Apply(lifecycleEvent));
        }
    }

    /// <summary>What the run is waiting for, when it is: a signal, a sleep, a retry.</summary>
    private string Waiting()
    {
        var waiting = Flatten(Snapshot.Steps)
            .Where(s => s.Status is StepStatus.Running or StepStatus.Waiting or StepStatus.Retrying && s.Children.Count == 0)
            .Select(s => s.Signal is { } signal && s.Status == StepStatus.Waiting
                ? $"step {s.Path} waits for signal '{signal}'"
                : $"step {s.Path} is {s.Status.ToString().ToLowerInvariant()}{(s.Attempts > 0 ? $" (attempt {s.Attempts})" : "")}")
            .ToList();
        return waiting.Count == 0 ? "" : "; " + string.Join(", ", waiting);
    }

    private static string Detail(WorkflowLifecycleEvent end) => end.Data is { } data ? ": " + Shorten(data.GetRawText()) : "";

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..297] + "...";

    private static (string Type, string? Path) Parse(string expected)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expected);
        var trimmed = expected.Trim();
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (trimmed, null) : (trimmed[..space], trimmed[(space + 1)..].Trim());
    }

    private static IEnumerable<StepSnapshot> Flatten(IEnumerable<StepSnapshot> steps) =>
        steps.SelectMany(s => Flatten(s.Children).Prepend(s));

    private static IEnumerable<string> Paths(IEnumerable<StepSnapshot> steps) =>
        Flatten(steps).Where(s => s.Kind == StepKinds.Step).Select(s => s.Path);
}
