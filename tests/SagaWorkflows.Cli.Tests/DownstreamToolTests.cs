using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.WorkerSdk.Samples;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.Cli.Tests;

/// <summary>The <c>downstream</c> demo tool the demo's redrive scenario runs: it fails only while its service has an outage.</summary>
public class DownstreamToolTests
{
    private static ToolContext Call(string service, int attempt = 1) => new()
    {
        RunId = Guid.NewGuid(),
        ExecutionId = Guid.NewGuid(),
        StepId = "book",
        Path = "book",
        Attempt = attempt,
        Input = new JsonObject { ["service"] = service, ["parcel"] = "P-1" },
        Services = new ServiceCollection().BuildServiceProvider(),
    };

    [Fact]
    public async Task Without_an_outage_it_returns_its_input()
    {
        var tool = new DownstreamTool(new DemoOutages());

        var output = await tool.ExecuteAsync(Call("carrier"), CancellationToken.None);

        Assert.Equal("""{"service":"carrier","parcel":"P-1"}""", output!.ToJsonString());
    }

    [Fact]
    public async Task While_its_service_is_down_every_attempt_fails_as_Unavailable_and_other_services_still_answer()
    {
        var outages = new DemoOutages();
        var tool = new DownstreamTool(outages);
        outages.Begin("carrier");

        foreach (var attempt in new[] { 1, 2, 5 })
        {
            var error = await Assert.ThrowsAsync<ToolException>(() => tool.ExecuteAsync(Call("carrier", attempt), CancellationToken.None));
            Assert.Equal("Unavailable", error.ErrorType);
            Assert.Equal("carrier is unavailable (a demo outage)", error.Message);
        }

        Assert.NotNull(await tool.ExecuteAsync(Call("payments"), CancellationToken.None));
    }

    [Fact]
    public async Task Once_the_outage_ends_a_new_execution_succeeds()
    {
        var outages = new DemoOutages();
        var tool = new DownstreamTool(outages);
        outages.Begin("carrier");
        await Assert.ThrowsAsync<ToolException>(() => tool.ExecuteAsync(Call("carrier"), CancellationToken.None));

        outages.End("carrier");

        Assert.False(outages.IsDown("carrier"));
        Assert.Equal("carrier", (await tool.ExecuteAsync(Call("carrier"), CancellationToken.None))!["service"]!.GetValue<string>());
    }
}
