using System.Net;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Bridge.Tests.Streaming;

/// <summary>Streams never outlive their clients, and there is a ceiling on how many are open.</summary>
public sealed class StreamLifetimeTests
{
    [Fact]
    public async Task A_client_that_disconnects_releases_its_subscription()
    {
        await using var bridge = await BridgeServer.StartAsync();
        var run = new TestRun();
        await bridge.PublishAsync(run.Event(1, LifecycleEventTypes.WorkflowStart));
        await bridge.WaitForConsumedAsync(1);

        var runStream = await SseConnection.OpenAsync(bridge.Client, $"/runs/{run.RunId}/events");
        var allStream = await SseConnection.OpenAsync(bridge.Client, "/events?after=0");
        Assert.Equal("1", (await runStream.ReadEventAsync())?.Id);
        Assert.Equal("1", (await allStream.ReadEventAsync())?.Id);
        Assert.Equal(2, bridge.Hub.SubscriberCount);

        await runStream.DisposeAsync();
        await allStream.DisposeAsync();

        await Eventually.TrueAsync(() => bridge.Hub.SubscriberCount == 0, "the hub to have no subscribers after the clients left");
    }

    [Fact]
    public async Task A_refused_stream_leaves_no_subscription_behind()
    {
        await using var bridge = await BridgeServer.StartAsync();

        using var response = await bridge.Client.GetAsync($"/runs/{Guid.NewGuid()}/events");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await Eventually.TrueAsync(() => bridge.Hub.SubscriberCount == 0, "the 404 to release its subscription");
    }

    [Fact]
    public async Task Streams_beyond_the_limit_get_503_until_one_closes()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?>
        {
            ["SagaWorkflows:Bridge:MaxConcurrentStreams"] = "1",
        });

        var first = await SseConnection.OpenAsync(bridge.Client, "/events");
        await first.ReadFrameAsync();
        using (var refused = await bridge.Client.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        await first.DisposeAsync();
        await Eventually.TrueAsync(() => bridge.Hub.SubscriberCount == 0, "the first stream to close");
        await using var next = await SseConnection.OpenAsync(bridge.Client, "/events");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Stopping_the_bridge_ends_open_streams_promptly()
    {
        var bridge = await BridgeServer.StartAsync();
        await using var sse = await SseConnection.OpenAsync(bridge.Client, "/events");
        await sse.ReadFrameAsync();

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await bridge.DisposeAsync();

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed}");
        Assert.Null(await sse.ReadEventAsync(TimeSpan.FromSeconds(5)));
    }
}
