using System.Text.Json;
using System.Xml;

namespace SagaWorkflows.Contracts;

/// <summary>
/// Folds one run's lifecycle events into its <see cref="RunSnapshot"/>: the one place these rules live, used by the
/// bridge (<c>GET /runs/{runId}</c>, which the run page renders) and the CLI (<c>watch</c>, <c>start --watch</c>, the demo).
/// Events are folded in <see cref="WorkflowLifecycleEvent.Sequence"/> order, once each, whatever order they are given
/// in: a repeated one is ignored, and one that comes after a gap is held until the gap is filled. Pure (no clock, no
/// I/O) and not thread-safe.
/// </summary>
public sealed class RunProjection
{
    private readonly SortedDictionary<long, WorkflowLifecycleEvent> _held = [];
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly List<Node> _roots = [];
    private Guid _runId;
    private string _workflowId;
    private CompensationStatus? _compensation;
    private DateTimeOffset? _completedAt;
    private JsonElement? _input, _error, _output;
    private Guid? _parentRunId;
    private string? _parentPath;

    /// <param name="runId">The run; when empty, the run of the first event given.</param>
    /// <param name="workflowId">Until an event names it.</param>
    public RunProjection(Guid runId = default, string workflowId = "")
    {
        _runId = runId;
        _workflowId = workflowId ?? "";
    }

    public Guid RunId => _runId;

    public string WorkflowId => _workflowId;

    /// <summary>The last sequence folded in: every sequence up to it has been.</summary>
    public long LastSequence { get; private set; }

    public RunStatus Status { get; private set; } = RunStatus.Pending;

    /// <summary>The terminal event's type once folded in, else null.</summary>
    public string? Outcome { get; private set; }

    public bool IsFinished => Outcome is not null;

    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>The snapshot of the given events, folded as <see cref="Apply"/> folds them.</summary>
    public static RunSnapshot Project(IEnumerable<WorkflowLifecycleEvent> events, Guid runId = default, string workflowId = "")
    {
        ArgumentNullException.ThrowIfNull(events);
        var projection = new RunProjection(runId, workflowId);
        foreach (var e in events)
        {
            projection.Apply(e);
        }

        return projection.Snapshot();
    }

    /// <summary>The run's status after an event of type <paramref name="eventType"/>; unchanged for step events.</summary>
    public static RunStatus NextStatus(RunStatus current, string eventType) => eventType switch
    {
        LifecycleEventTypes.WorkflowStart => RunStatus.Running,
        LifecycleEventTypes.WorkflowSuspended => RunStatus.Suspended,
        LifecycleEventTypes.WorkflowResumed => RunStatus.Running,
        LifecycleEventTypes.CompensationStart => RunStatus.Compensating,
        LifecycleEventTypes.CompensationError => RunStatus.CompensationFailed,
        LifecycleEventTypes.WorkflowComplete => RunStatus.Completed,
        // A failed compensation is what the user must act on; the terminal event that follows it must not hide it.
        LifecycleEventTypes.WorkflowError => current == RunStatus.CompensationFailed ? current : RunStatus.Failed,
        LifecycleEventTypes.WorkflowCancelled => current == RunStatus.CompensationFailed ? current : RunStatus.Cancelled,
        _ => current,
    };

    /// <summary>
    /// Folds <paramref name="lifecycleEvent"/> in, with every held event it makes contiguous.
    /// </summary>
    /// <returns>The events folded in, in sequence order: none for a repeated event or one held behind a gap.</returns>
    /// <exception cref="ArgumentException">The event belongs to another run.</exception>
    public IReadOnlyList<WorkflowLifecycleEvent> Apply(WorkflowLifecycleEvent lifecycleEvent)
    {
        ArgumentNullException.ThrowIfNull(lifecycleEvent);
        if (_runId == Guid.Empty)
        {
            _runId = lifecycleEvent.RunId;
        }
        else if (lifecycleEvent.RunId != _runId)
        {
            throw new ArgumentException(
                $"event {lifecycleEvent.Sequence} ({lifecycleEvent.Type}) belongs to run {lifecycleEvent.RunId}, not to run {_runId}",
                nameof(lifecycleEvent));
        }

        if (lifecycleEvent.Sequence <= LastSequence || _held.ContainsKey(lifecycleEvent.Sequence))
        {
            return [];
        }

        if (lifecycleEvent.Sequence != LastSequence + 1)
        {
            _held.Add(lifecycleEvent.Sequence, lifecycleEvent);
            return [];
        }

        var folded = new List<WorkflowLifecycleEvent> { lifecycleEvent };
        Fold(lifecycleEvent);
        while (_held.Remove(LastSequence + 1, out var next))
        {
            folded.Add(next);
            Fold(next);
        }

        return folded;
    }

    public RunSnapshot Snapshot()
    {
        var duration = Between(StartedAt, _completedAt);
        return new RunSnapshot
        {
            RunId = _runId,
            WorkflowId = _workflowId,
            Status = Status,
            Compensation = _compensation,
            Outcome = Outcome,
            StartedAt = StartedAt,
            CompletedAt = _completedAt,
            Duration = FormatDuration(duration),
            DurationMs = duration?.TotalMilliseconds,
            LastSequence = LastSequence,
            HeldEvents = _held.Count,
            Input = _input,
            Error = _error,
            Output = _output,
            Steps = ToSnapshots(_roots),
            ParentRunId = _parentRunId,
            ParentPath = _parentPath,
        };
    }

    /// <summary>One step (or iteration) with what is below it, or null when no event has named it yet.</summary>
    public StepSnapshot? Step(string path) => _nodes.TryGetValue(path, out var node) ? ToSnapshot(node) : null;

    private void Fold(WorkflowLifecycleEvent e)
    {
        LastSequence = e.Sequence;
        if (!string.IsNullOrEmpty(e.WorkflowId))
        {
            _workflowId = e.WorkflowId;
        }

        Status = NextStatus(Status, e.Type);
        switch (e.Type)
        {
            case LifecycleEventTypes.WorkflowStart:
                StartedAt ??= e.Timestamp;
                _input = Unwrap(e.Data, "input");
                if (Property(e.Data, "parent") is { ValueKind: JsonValueKind.Object } parent)
                {
                    _parentRunId = RunIdIn(parent, "runId");
                    _parentPath = Property(parent, "path") is { ValueKind: JsonValueKind.String } p ? p.GetString() : null;
                }

                break;
            case LifecycleEventTypes.WorkflowComplete:
                _output = Unwrap(e.Data, "output");
                End(e);
                break;
            case LifecycleEventTypes.WorkflowError:
            case LifecycleEventTypes.WorkflowCancelled:
                _error ??= Unwrap(e.Data, "error");
                End(e);
                break;
            case LifecycleEventTypes.StepError:
                _error = Unwrap(e.Data, "error");
                break;
            case LifecycleEventTypes.CompensationStart:
                _compensation = CompensationStatus.Compensating;
                break;
            case LifecycleEventTypes.CompensationComplete:
                _compensation = CompensationStatus.Compensated;
                break;
            case LifecycleEventTypes.CompensationError:
                _compensation = CompensationStatus.CompensationFailed;
                _error = Unwrap(e.Data, "error") ?? _error;
                break;
        }

        if (!string.IsNullOrEmpty(e.Path))
        {
            // A child run's compensation, run by its parent ("sub/reserve"), is shown on the workflow step that ran the child.
            if (e.Type is LifecycleEventTypes.StepCompensated or LifecycleEventTypes.CompensationError && e.Path.IndexOf('/', StringComparison.Ordinal) is > 0 and var cut)
            {
                FoldStep(GetOrAdd(e.Path[..cut]), e with { StepId = null, StepType = null });
            }
            else
            {
                FoldStep(GetOrAdd(e.Path), e);
            }
        }
    }

    /// <summary>The run has ended: a step still under way will not finish.</summary>
    private void End(WorkflowLifecycleEvent e)
    {
        _completedAt = e.Timestamp;
        Outcome = e.Type;
        foreach (var node in _nodes.Values.Where(n => n.Status is StepStatus.Running or StepStatus.Retrying or StepStatus.Waiting))
        {
            node.Status = StepStatus.Stopped;
            node.CompletedAt = e.Timestamp;
        }
    }

    private static void FoldStep(Node node, WorkflowLifecycleEvent e)
    {
        node.StepId ??= e.StepId;
        node.Type = e.StepType ?? node.Type;
        if (e.Attempt is { } attempt)
        {
            node.Attempts = Math.Max(node.Attempts, attempt);
        }

        if (e.Type is LifecycleEventTypes.StepStart or LifecycleEventTypes.StepRetry && RunIdIn(e.Data, "childRunId") is { } child)
        {
            node.ChildRunId = child;
        }

        switch (e.Type)
        {
            case LifecycleEventTypes.StepStart:
                node.Status = StepStatus.Running;
                node.StartedAt ??= e.Timestamp;
                node.Attempts = Math.Max(node.Attempts, 1);
                node.Input = Unwrap(e.Data, "input") ?? node.Input;
                break;
            case LifecycleEventTypes.StepRetry:
                node.Status = StepStatus.Retrying;
                node.StartedAt ??= e.Timestamp;
                node.Error = Unwrap(e.Data, "error");
                node.Retries.Add(new RetrySnapshot
                {
                    Attempt = e.Attempt ?? (int?)Number(e.Data, "attempt"),
                    NextAttempt = (int?)Number(e.Data, "nextAttempt"),
                    DelayMs = Number(e.Data, "delayMs"),
                    Error = Property(e.Data, "error"),
                    At = e.Timestamp,
                    Data = e.Data,
                });
                break;
            case LifecycleEventTypes.StepError:
                node.Status = StepStatus.Failed;
                node.StartedAt ??= e.Timestamp;
                node.CompletedAt = e.Timestamp;
                node.Error = Unwrap(e.Data, "error");
                break;
            case LifecycleEventTypes.StepComplete:
                node.Status = StepStatus.Completed;
                node.StartedAt ??= e.Timestamp;
                node.CompletedAt = e.Timestamp;
                node.Output = Unwrap(e.Data, "output");
                node.Error = null;
                break;
            case LifecycleEventTypes.StepSuspended:
                node.Status = StepStatus.Waiting;
                node.StartedAt ??= e.Timestamp;
                node.Signal = Property(e.Data, "signal") is { ValueKind: JsonValueKind.String } signal ? signal.GetString() : node.Signal;
                break;
            case LifecycleEventTypes.CompensationStart:
                node.Compensation = CompensationStatus.Compensating;
                break;
            case LifecycleEventTypes.StepCompensated:
                node.Compensation = CompensationStatus.Compensated;
                break;
            case LifecycleEventTypes.CompensationError:
                node.Compensation = CompensationStatus.CompensationFailed;
                node.CompensationError = Unwrap(e.Data, "error");
                break;
        }
    }

    /// <summary>Containers a child's path implies (a foreach, its iteration) are created when first needed, so a
    /// late or missing container event still nests its children correctly.</summary>
    private Node GetOrAdd(string path)
    {
        if (_nodes.TryGetValue(path, out var node))
        {
            return node;
        }

        node = new Node(path);
        _nodes[path] = node;
        var parentPath = StepPath.Parent(path);
        if (parentPath is null)
        {
            _roots.Add(node);
        }
        else
        {
            GetOrAdd(parentPath).Children.Add(node);
        }

        return node;
    }

    private static List<StepSnapshot> ToSnapshots(List<Node> nodes) =>
        // Iterations of one container run concurrently, so their first events interleave: show them by index.
        nodes.Select((node, order) => (node, order))
            .OrderBy(x => StepPath.IterationIndex(x.node.Path) ?? int.MinValue)
            .ThenBy(x => x.order)
            .Select(x => ToSnapshot(x.node))
            .ToList();

    private static StepSnapshot ToSnapshot(Node node)
    {
        var children = ToSnapshots(node.Children);
        var iteration = StepPath.IterationIndex(node.Path);
        var isIteration = iteration is not null;
        var status = isIteration ? Aggregate(children) : node.Status;
        var startedAt = isIteration ? children.Min(c => c.StartedAt) : node.StartedAt;
        var completedAt = isIteration
            ? status is StepStatus.Completed or StepStatus.Failed or StepStatus.Stopped ? children.Max(c => c.CompletedAt) : null
            : node.CompletedAt;
        var duration = Between(startedAt, completedAt);
        return new StepSnapshot
        {
            Path = node.Path,
            Kind = isIteration ? StepKinds.Iteration : StepKinds.Step,
            Label = StepPath.Label(node.Path),
            StepId = node.StepId,
            Type = node.Type,
            Iteration = iteration,
            Status = status,
            Attempts = node.Attempts,
            StartedAt = startedAt,
            CompletedAt = completedAt,
            Duration = FormatDuration(duration),
            DurationMs = duration?.TotalMilliseconds,
            Input = node.Input,
            Output = node.Output,
            Error = node.Error,
            Signal = node.Signal,
            ChildRunId = node.ChildRunId,
            Retries = [.. node.Retries],
            Compensation = node.Compensation,
            CompensationError = node.CompensationError,
            Children = children,
        };
    }

    /// <summary>An iteration has no events of its own: it is as far as its steps.</summary>
    private static StepStatus Aggregate(List<StepSnapshot> children)
    {
        bool Any(StepStatus s) => children.Exists(c => c.Status == s);
        if (children.Count == 0 || children.TrueForAll(c => c.Status == StepStatus.Pending))
        {
            return StepStatus.Pending;
        }

        if (Any(StepStatus.Failed))
        {
            return StepStatus.Failed;
        }

        if (children.TrueForAll(c => c.Status == StepStatus.Completed))
        {
            return StepStatus.Completed;
        }

        return Any(StepStatus.Retrying) ? StepStatus.Retrying
            : Any(StepStatus.Running) ? StepStatus.Running
            : Any(StepStatus.Waiting) ? StepStatus.Waiting
            : Any(StepStatus.Stopped) ? StepStatus.Stopped
            : StepStatus.Running;
    }

    private static TimeSpan? Between(DateTimeOffset? from, DateTimeOffset? to) => from is { } f && to is { } t ? t - f : null;

    private static string? FormatDuration(TimeSpan? duration) =>
        duration is { } d ? XmlConvert.ToString(d < TimeSpan.Zero ? TimeSpan.Zero : d) : null;

    /// <summary>
    /// The orchestrator wraps a result (<c>{ "output": ... }</c>, <c>{ "error": { "type", "message" } }</c>) next to
    /// other details; a snapshot shows just the result, and takes <c>data</c> as it is when it has no such wrapper.
    /// </summary>
    private static JsonElement? Unwrap(JsonElement? data, string property) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(property, out var inner) ? inner : data;

    private static JsonElement? Property(JsonElement? data, string property) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(property, out var inner) ? inner : null;

    private static Guid? RunIdIn(JsonElement? data, string property) =>
        Property(data, property) is { ValueKind: JsonValueKind.String } s && Guid.TryParse(s.GetString(), out var id) ? id : null;

    private static long? Number(JsonElement? data, string property) =>
        Property(data, property) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var value) ? value : null;

    private sealed class Node(string path)
    {
        public string Path { get; } = path;
        public string? StepId { get; set; }
        public string? Type { get; set; }
        public StepStatus Status { get; set; } = StepStatus.Pending;
        public int Attempts { get; set; }
        public DateTimeOffset? StartedAt { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }
        public JsonElement? Input { get; set; }
        public JsonElement? Output { get; set; }
        public JsonElement? Error { get; set; }
        public string? Signal { get; set; }
        public Guid? ChildRunId { get; set; }
        public List<RetrySnapshot> Retries { get; } = [];
        public CompensationStatus? Compensation { get; set; }
        public JsonElement? CompensationError { get; set; }
        public List<Node> Children { get; } = [];
    }
}
