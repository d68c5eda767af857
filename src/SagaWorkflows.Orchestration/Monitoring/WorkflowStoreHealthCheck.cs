using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SagaWorkflows.Orchestration.Runs;

namespace SagaWorkflows.Orchestration.Monitoring;

/// <summary>Ready when the workflow store answers a query.</summary>
internal sealed class WorkflowStoreHealthCheck(IDbContextFactory<WorkflowDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Runs.AsNoTracking().Select(r => r.CorrelationId).FirstOrDefaultAsync(cancellationToken);
            return HealthCheckResult.Healthy("the workflow store answers");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the workflow store does not answer", exception);
        }
    }
}
