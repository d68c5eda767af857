using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace SagaWorkflows.Hosting.Telemetry;

public static class SagaWorkflowsTelemetryExtensions
{
    /// <summary>The standard variables that name an OTLP endpoint; any one of them turns export on.</summary>
    public static readonly IReadOnlyList<string> EndpointVariables =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    /// <summary>True when configuration (usually the environment) names an OTLP endpoint.</summary>
    public static bool IsOtlpExportConfigured(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return EndpointVariables.Any(name => !string.IsNullOrWhiteSpace(configuration[name]));
    }

    /// <summary>
    /// Exports traces (SagaWorkflows, MassTransit, ASP.NET Core, HttpClient), metrics (the same meters) and logs over OTLP when
    /// one of the standard <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variables is set, configured by the standard variables
    /// (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>,
    /// <c>OTEL_METRIC_EXPORT_INTERVAL</c>...). When none is set nothing is registered: no SDK, no exporter, no cost.
    /// </summary>
    /// <param name="serviceName">The service name unless <c>OTEL_SERVICE_NAME</c> sets one.</param>
    public static IServiceCollection AddSagaWorkflowsTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        if (!configuration.IsOtlpExportConfigured())
        {
            return services;
        }

        var name = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : serviceName;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(name, serviceVersion: typeof(SagaWorkflowsDiagnostics).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                .AddSource(SagaWorkflowsDiagnostics.Name, SagaWorkflowsDiagnostics.MassTransitName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(SagaWorkflowsDiagnostics.Name, SagaWorkflowsDiagnostics.MassTransitName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithLogging()
            .UseOtlpExporter();
        return services;
    }
}
