using System.Text.Json;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Cli.Rendering;

public enum StepState
{
    Running,
    Waiting,
    Completed,
    Failed,

    /// <summary>Still running or waiting when the run ended (cancelled, or failed elsewhere).</summary>
    Stopped,
}

/// <summary>What the events of one step execution (one path) said so far.</summary>
public sealed class StepView(string path, string? stepId, string? stepType, DateTimeOffset startedAt)
{
    public string Path { get; } = path;
    public string? StepId { get; } = stepId;
    public string? StepType { get; } = stepType;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public DateTimeOffset? EndedAt { get; set; }
    public StepState State { get; set; } = StepState.Running;
    public int Attempts { get; set; } = 1;
    public int Retries { get; set; }
    public string? Error { get; set; }
    public bool Compensated { get; set; }

    public TimeSpan? Duration => EndedAt - StartedAt;
}

/// <summary>One run as its lifecycle events describe it; the renderer's memory, and the summary's source.</summary>
public sealed class RunView(Guid runId, string workflowId, DateTimeOffset startedAt)
{
    private readonly Dictionary<string, StepView> _steps = new(StringComparer.Ordinal);
    private readonly List<StepView> _order = [];

    public Guid RunId { get; } = runId;
    public string WorkflowId { get; set; } = workflowId;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The highest sequence rendered, so replays and reconnects show nothing twice.</summary>
    public long LastSequence { get; set; }

    /// <summary>The terminal event's type (<see cref="LifecycleEventTypes.IsTerminal"/>), once seen.</summary>
    public string? Outcome { get; set; }

    /// <summary>The terminal event's data: output, or the error and every validation problem.</summary>
    public JsonElement? OutcomeData { get; set; }

    public string? Status { get; set; }

    /// <summary>Steps in the order they started.</summary>
    public IReadOnlyList<StepView> Steps => _order;

    public bool IsFinished => Outcome is not null;

    public StepView? Find(string? path) => path is not null && _steps.TryGetValue(path, out var step) ? step : null;

    public StepView Start(string path, string? stepId, string? stepType, DateTimeOffset at)
    {
        var step = new StepView(path, stepId, stepType, at);
        if (_steps.TryAdd(path, step))
        {
            _order.Add(step);
            return step;
        }

        return _steps[path];
    }
}
