using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SagaWorkflows.Bridge.Storage;

namespace SagaWorkflows.Bridge.Hosting;

/// <summary>Ready when the bridge's store answers a query.</summary>
internal sealed class BridgeStoreHealthCheck(IDbContextFactory<BridgeDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Runs.AsNoTracking().Select(r => r.RunId).FirstOrDefaultAsync(cancellationToken);
            return HealthCheckResult.Healthy("the bridge's store answers");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the bridge's store does not answer", exception);
        }
    }
}
