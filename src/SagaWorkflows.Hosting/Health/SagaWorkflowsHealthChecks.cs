using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SagaWorkflows.Hosting.Health;

/// <summary>
/// The product's health checks, as ASP.NET Core health checks. <c>/health/live</c> runs the checks tagged <see cref="LiveTag"/>
/// (the process answers); <c>/health/ready</c> those tagged <see cref="ReadyTag"/>: the bus (registered by MassTransit with
/// that tag), the store, the scheduler, whatever the components added.
/// </summary>
public static class SagaWorkflowsHealthChecks
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>Registers health checks with a liveness check; components add theirs with <see cref="ReadyTag"/>.</summary>
    public static IHealthChecksBuilder AddSagaWorkflowsHealthChecks(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddHealthChecks();
        if (!services.Any(d => d.ServiceType == typeof(LivenessMarker)))
        {
            services.AddSingleton<LivenessMarker>();
            builder.AddCheck("process", () => HealthCheckResult.Healthy("the process is running"), [LiveTag]);
        }

        return builder;
    }

    /// <summary>
    /// On a host without a web server: serves the health endpoints on their own Kestrel listener when
    /// <c>SagaWorkflows:Health:Urls</c> is set (see <see cref="SagaWorkflowsHealthOptions"/>).
    /// </summary>
    public static IServiceCollection AddSagaWorkflowsHealthEndpoints(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSagaWorkflowsHealthChecks();
        var options = new SagaWorkflowsHealthOptions();
        configuration.GetSection(SagaWorkflowsHealthOptions.SectionName).Bind(options);
        if (!string.IsNullOrWhiteSpace(options.Urls))
        {
            services.AddSingleton(options);
            services.AddHostedService<HealthEndpointServer>();
        }

        return services;
    }

    /// <summary>Maps <c>/health/live</c> and <c>/health/ready</c>: 200 when healthy or degraded, 503 when unhealthy, a JSON report either way.</summary>
    public static IEndpointRouteBuilder MapSagaWorkflowsHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks(LivePath, Options(LiveTag));
        endpoints.MapHealthChecks(ReadyPath, Options(ReadyTag));
        return endpoints;
    }

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = WriteReportAsync,
    };

    private static async Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            if (entry.Description is { } description)
            {
                json.WriteString("description", description);
            }

            if (entry.Exception is { } exception)
            {
                json.WriteString("error", exception.Message);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private sealed class LivenessMarker;
}
