using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace SagaWorkflows.Orchestration.Monitoring;

/// <summary>Ready when the durable scheduler (Quartz) is running: the bus starts it once it is connected.</summary>
internal sealed class SchedulerHealthCheck(ISchedulerFactory schedulers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            var status = await scheduler.GetStatus(cancellationToken);
            return status == SchedulerStatus.Running
                ? HealthCheckResult.Healthy("the scheduler is running")
                : HealthCheckResult.Unhealthy($"the scheduler is {status}");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the scheduler is not available", exception);
        }
    }
}
