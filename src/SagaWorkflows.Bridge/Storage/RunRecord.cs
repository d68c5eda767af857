using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Storage;

/// <summary>A run's summary, kept current as its events are released, for listings and quick checks.</summary>
public sealed class RunRecord
{
    public Guid RunId { get; set; }
    public string WorkflowId { get; set; } = "";
    public RunStatus Status { get; set; } = RunStatus.Pending;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The highest sequence released: every sequence up to it has been stored and streamed.</summary>
    public long DeliveredSequence { get; set; }

    /// <summary>Set when the run's terminal event is released; streams end after it.</summary>
    public long? TerminalSequence { get; set; }

    public string? LastEventType { get; set; }
    public DateTimeOffset? LastEventAt { get; set; }
}
