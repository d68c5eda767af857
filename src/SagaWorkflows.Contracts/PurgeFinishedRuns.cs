namespace SagaWorkflows.Contracts;

/// <summary>
/// Asks every store owner (the orchestrator's workflow store, each bridge's event store) to delete, now, the runs that
/// finished at least <see cref="OlderThan"/> ago, as retention would later. Published by <c>sagawf purge</c>.
/// </summary>
public sealed record PurgeFinishedRuns
{
    /// <summary>Runs that finished more recently are kept; zero purges every finished run.</summary>
    public TimeSpan OlderThan { get; init; }
}
