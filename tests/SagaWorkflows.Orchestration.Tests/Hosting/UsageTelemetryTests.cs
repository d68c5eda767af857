using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SagaWorkflows.Hosting;

namespace SagaWorkflows.Orchestration.Tests.Hosting;

/// <summary>
/// MassTransit's usage telemetry reports to its vendor a few minutes after a bus starts: every SagaWorkflows bus
/// (orchestrator, worker, bridge, CLI, and any host using the worker SDK's bus setup) has it off unless opted in.
/// </summary>
public sealed class UsageTelemetryTests
{
    private static UsageTelemetryOptions Resolve(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSagaWorkflowsBus(configuration.ReadBusOptions());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value;
    }

    [Theory]
    [InlineData("RabbitMq")]
    [InlineData("InMemory")]
    public void Is_off_by_default(string transport)
    {
        Assert.False(Resolve(new Dictionary<string, string?> { ["SagaWorkflows:Transport"] = transport }).Enabled);
    }

    [Fact]
    public void Is_on_only_when_the_operator_opts_in()
    {
        Assert.True(Resolve(new Dictionary<string, string?> { ["SagaWorkflows:Transport"] = "InMemory", ["SagaWorkflows:UsageTelemetry"] = "true" }).Enabled);
    }
}
