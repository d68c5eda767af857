using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Hosting;
using SagaWorkflows.Hosting.Health;

namespace SagaWorkflows.Orchestration.Monitoring;

internal static class OrchestratorMonitoringExtensions
{
    /// <summary>The orchestrator's readiness checks (store, and on RabbitMQ the scheduler; MassTransit adds the bus) and store gauges.</summary>
    public static IServiceCollection AddOrchestratorMonitoring(this IServiceCollection services, SagaWorkflowsBusOptions bus)
    {
        services.AddMetrics();
        services.AddHostedService<WorkflowStoreGauges>();
        var checks = services.AddSagaWorkflowsHealthChecks()
            .AddCheck<WorkflowStoreHealthCheck>("workflow-store", tags: [SagaWorkflowsHealthChecks.ReadyTag]);
        if (bus.Transport == SagaWorkflowsTransport.RabbitMq)
        {
            checks.AddCheck<SchedulerHealthCheck>("scheduler", tags: [SagaWorkflowsHealthChecks.ReadyTag]);
        }

        return services;
    }
}
