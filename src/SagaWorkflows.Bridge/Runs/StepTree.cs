using System.Text.Json;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Runs;

/// <summary>
/// The mutable tree <see cref="RunSnapshotBuilder"/> folds step events into. Containers a child's
/// path implies (a foreach, its iteration) are created when first needed, so a late or missing
/// container event still nests its children correctly.
/// </summary>
internal sealed class StepTree
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly List<Node> _roots = [];

    public void Apply(WorkflowLifecycleEvent e)
    {
        var node = GetOrAdd(e.Path!);
        node.StepId ??= e.StepId;
        node.Type = e.StepType ?? node.Type;
        if (e.Attempt is { } attempt)
        {
            node.Attempts = Math.Max(node.Attempts, attempt);
        }

        switch (e.Type)
        {
            case LifecycleEventTypes.StepStart:
                node.Status = StepStatus.Running;
                node.StartedAt ??= e.Timestamp;
                node.Attempts = Math.Max(node.Attempts, 1);
                break;
            case LifecycleEventTypes.StepRetry:
                node.Status = StepStatus.Retrying;
                node.StartedAt ??= e.Timestamp;
                node.Error = EventData.Error(e.Data);
                node.Retries.Add(new RetrySnapshot(e.Attempt, e.Timestamp, e.Data));
                break;
            case LifecycleEventTypes.StepError:
                node.Status = StepStatus.Failed;
                node.StartedAt ??= e.Timestamp;
                node.CompletedAt = e.Timestamp;
                node.Error = EventData.Error(e.Data);
                break;
            case LifecycleEventTypes.StepComplete:
                node.Status = StepStatus.Completed;
                node.StartedAt ??= e.Timestamp;
                node.CompletedAt = e.Timestamp;
                node.Output = EventData.Output(e.Data);
                node.Error = null;
                break;
            case LifecycleEventTypes.StepSuspended:
                node.Status = StepStatus.Waiting;
                node.StartedAt ??= e.Timestamp;
                break;
            case LifecycleEventTypes.CompensationStart:
                node.Compensation = CompensationStatus.Compensating;
                break;
            case LifecycleEventTypes.StepCompensated:
                node.Compensation = CompensationStatus.Compensated;
                break;
            case LifecycleEventTypes.CompensationError:
                node.Compensation = CompensationStatus.Failed;
                node.CompensationError = EventData.Error(e.Data);
                break;
        }
    }

    public IReadOnlyList<StepSnapshot> ToSnapshots() => ToSnapshots(_roots);

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

    private static List<StepSnapshot> ToSnapshots(List<Node> nodes)
    {
        // Iterations of one container run concurrently, so their first events interleave: show them by index.
        var ordered = nodes.Select((node, order) => (node, order))
            .OrderBy(x => StepPath.IterationIndex(x.node.Path) ?? int.MinValue)
            .ThenBy(x => x.order)
            .Select(x => x.node);
        return ordered.Select(ToSnapshot).ToList();
    }

    private static StepSnapshot ToSnapshot(Node node)
    {
        var children = ToSnapshots(node.Children);
        var isIteration = StepPath.IsIteration(node.Path);
        var startedAt = isIteration ? children.Min(c => c.StartedAt) : node.StartedAt;
        var status = isIteration ? Aggregate(children) : node.Status;
        var completedAt = isIteration
            ? status is StepStatus.Completed or StepStatus.Failed ? children.Max(c => c.CompletedAt) : null
            : node.CompletedAt;
        var duration = startedAt is { } s && completedAt is { } c ? c - s : (TimeSpan?)null;
        return new StepSnapshot
        {
            Path = node.Path,
            Kind = isIteration ? StepKinds.Iteration : StepKinds.Step,
            Label = StepPath.Label(node.Path),
            StepId = node.StepId,
            Type = node.Type,
            Status = status,
            Attempts = node.Attempts,
            StartedAt = startedAt,
            CompletedAt = completedAt,
            Duration = RunSnapshotBuilder.FormatDuration(duration),
            DurationMs = duration?.TotalMilliseconds,
            Error = node.Error,
            Output = node.Output,
            Retries = node.Retries,
            Compensation = node.Compensation,
            CompensationError = node.CompensationError,
            Children = children,
        };
    }

    /// <summary>An iteration has no events of its own: it is as far as its steps.</summary>
    private static string Aggregate(IReadOnlyList<StepSnapshot> children)
    {
        if (children.Count == 0)
        {
            return StepStatus.Pending;
        }

        if (children.Any(c => c.Status == StepStatus.Failed))
        {
            return StepStatus.Failed;
        }

        if (children.All(c => c.Status == StepStatus.Completed))
        {
            return StepStatus.Completed;
        }

        if (children.All(c => c.Status == StepStatus.Pending))
        {
            return StepStatus.Pending;
        }

        if (children.Any(c => c.Status == StepStatus.Retrying))
        {
            return StepStatus.Retrying;
        }

        return children.Any(c => c.Status == StepStatus.Waiting) && !children.Any(c => c.Status == StepStatus.Running)
            ? StepStatus.Waiting
            : StepStatus.Running;
    }

    private sealed class Node(string path)
    {
        public string Path { get; } = path;
        public string? StepId { get; set; }
        public string? Type { get; set; }
        public string Status { get; set; } = StepStatus.Pending;
        public int Attempts { get; set; }
        public DateTimeOffset? StartedAt { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }
        public JsonElement? Error { get; set; }
        public JsonElement? Output { get; set; }
        public List<RetrySnapshot> Retries { get; } = [];
        public string? Compensation { get; set; }
        public JsonElement? CompensationError { get; set; }
        public List<Node> Children { get; } = [];
    }
}
