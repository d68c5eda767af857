using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Api;

/// <summary>One entry of <c>GET /runs</c>.</summary>
public sealed record RunSummary(Guid RunId, string WorkflowId, RunStatus Status, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, long LastSequence, string? LastEventType, DateTimeOffset? LastEventAt)
{
    public static RunSummary From(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunSummary(run.RunId, run.WorkflowId, run.Status, run.CreatedAt, run.StartedAt, run.EndedAt,
            run.DeliveredSequence, run.LastEventType, run.LastEventAt);
    }
}
