using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Hosting.Health;
using SagaWorkflows.Hosting.Telemetry;

namespace SagaWorkflows.Hosting;

public static class SagaWorkflowsServiceDefaults
{
    /// <summary>
    /// What every SagaWorkflows host shares for operations: OpenTelemetry export when the standard <c>OTEL_EXPORTER_OTLP_*</c>
    /// variables are set, and health checks. A host without a web server (orchestrator, worker) also serves
    /// <c>/health/live</c> and <c>/health/ready</c> at <c>SagaWorkflows:Health:Urls</c> when set; a web host (the bridge)
    /// maps them itself with <see cref="SagaWorkflowsHealthChecks.MapSagaWorkflowsHealth"/>.
    /// </summary>
    public static IServiceCollection AddSagaWorkflowsServiceDefaults(this IServiceCollection services, IConfiguration configuration,
        string serviceName, bool servesHttp = false)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSagaWorkflowsTelemetry(configuration, serviceName);
        if (servesHttp)
        {
            services.AddSagaWorkflowsHealthChecks();
        }
        else
        {
            services.AddSagaWorkflowsHealthEndpoints(configuration);
        }

        return services;
    }
}
