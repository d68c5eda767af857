namespace SagaWorkflows.Bridge.Storage;

/// <summary>A signal the orchestrator turned down, kept so the run's page can say why.</summary>
public sealed class RejectedSignalRecord
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public string Signal { get; set; } = "";
    public string Reason { get; set; } = "";
    public DateTimeOffset At { get; set; }
}
