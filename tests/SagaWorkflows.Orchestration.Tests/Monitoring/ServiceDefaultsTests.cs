using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SagaWorkflows.Hosting;

namespace SagaWorkflows.Orchestration.Tests.Monitoring;

public class ServiceDefaultsTests
{
    [Fact]
    public void Without_an_otlp_endpoint_no_opentelemetry_sdk_and_no_health_listener_are_registered()
    {
        var services = new ServiceCollection();

        services.AddSagaWorkflowsServiceDefaults(Configuration([]), "sagawf-test");

        using var provider = services.BuildServiceProvider();
        Assert.Null(provider.GetService<TracerProvider>());
        Assert.Null(provider.GetService<MeterProvider>());
        Assert.DoesNotContain(services, d => d.ServiceType.Assembly.GetName().Name!.StartsWith("OpenTelemetry", StringComparison.Ordinal));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "HealthEndpointServer");
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")]
    public void An_otlp_endpoint_variable_turns_export_on_and_health_urls_add_the_health_listener(string variable)
    {
        var services = new ServiceCollection().AddLogging();

        services.AddSagaWorkflowsServiceDefaults(Configuration(new()
        {
            [variable] = "http://127.0.0.1:4318",
            ["SagaWorkflows:Health:Urls"] = "http://127.0.0.1:0",
        }), "sagawf-test");

        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetService<TracerProvider>());
        Assert.NotNull(provider.GetService<MeterProvider>());
        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "HealthEndpointServer");
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
