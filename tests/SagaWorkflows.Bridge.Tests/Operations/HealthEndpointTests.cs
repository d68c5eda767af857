using System.Net;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Bridge.Tests.Infrastructure;

namespace SagaWorkflows.Bridge.Tests.Operations;

public sealed class HealthEndpointTests : IAsyncLifetime
{
    private BridgeServer _bridge = null!;

    public async Task InitializeAsync() => _bridge = await BridgeServer.StartAsync();

    public async Task DisposeAsync() => await _bridge.DisposeAsync();

    [Fact]
    public async Task Live_and_ready_answer_200_with_a_report_naming_the_store_and_the_bus()
    {
        var (liveStatus, live) = await GetAsync("/health/live");
        var (readyStatus, ready) = await GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("Healthy", live.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var checks = ready.GetProperty("checks").EnumerateObject().Select(c => c.Name).ToList();
        Assert.Contains("bridge-store", checks);
        Assert.Contains(checks, c => c.Contains("masstransit", StringComparison.OrdinalIgnoreCase) || c.Contains("bus", StringComparison.OrdinalIgnoreCase) && c != "bridge-store");
    }

    [Fact]
    public async Task With_the_bus_stopped_the_bridge_is_live_but_not_ready()
    {
        await _bridge.Services.GetRequiredService<IBusControl>().StopAsync();

        var (liveStatus, _) = await GetAsync("/health/live");
        var (readyStatus, ready) = await GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.Equal("Unhealthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("bridge-store").GetProperty("status").GetString());
    }

    private async Task<(HttpStatusCode, JsonElement)> GetAsync(string path)
    {
        using var response = await _bridge.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
