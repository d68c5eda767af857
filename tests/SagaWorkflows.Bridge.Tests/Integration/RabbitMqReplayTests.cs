using MassTransit;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Bridge.Tests.Integration;

/// <summary>
/// On the real broker: the bridge's durable queue keeps the events published while the bridge is
/// down, and after a restart over the same database the streams are complete, without repeats.
/// The test plays the orchestrator by publishing lifecycle events itself.
/// </summary>
[Trait("Category", "RabbitMq")]
public sealed class RabbitMqReplayTests : IAsyncLifetime
{
    private readonly string _queue = "sagawf-bridge-test-" + Guid.NewGuid().ToString("N");
    private readonly string _database = TestPaths.NewDatabase();

    public Task InitializeAsync() => RabbitMqBroker.EnsureReachableAsync();

    public async Task DisposeAsync()
    {
        await RabbitMqBroker.DeleteQueueAsync(_queue);
        TestPaths.DeleteDatabase(_database);
    }

    [Fact]
    public async Task Events_published_while_the_bridge_is_stopped_are_all_streamed_after_it_restarts()
    {
        var run = new TestRun();
        var events = run.Simple(steps: 3); // 8 events

        var first = await StartBridgeAsync();
        await first.PublishAsync(events.Take(3));
        await first.WaitForConsumedAsync(3, TimeSpan.FromSeconds(20));
        var live = await SseConnection.OpenAsync(first.Client, $"/runs/{run.RunId}/events");
        Assert.Equal(["1", "2", "3"], (await live.ReadEventsAsync(3)).Select(f => f.Id));

        // Stopping ends the open stream; the queue outlives the bridge.
        await first.DisposeAsync();
        Assert.Null(await live.ReadEventAsync(TimeSpan.FromSeconds(10)));
        await live.DisposeAsync();

        var orchestrator = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(RabbitMqBroker.Address));
        await orchestrator.StartAsync();
        try
        {
            foreach (var e in events.Skip(3))
            {
                await orchestrator.Publish(e);
            }
        }
        finally
        {
            await orchestrator.StopAsync();
        }

        await using var second = await StartBridgeAsync();
        await using (var resumed = await SseConnection.OpenAsync(second.Client, $"/runs/{run.RunId}/events", lastEventId: "3"))
        {
            var rest = await resumed.ReadToEndAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(["4", "5", "6", "7", "8", null], rest.Select(f => f.Id));
            Assert.Equal("end", rest[^1].Event);
        }

        await using var replay = await SseConnection.OpenAsync(second.Client, $"/runs/{run.RunId}/events");
        var all = await replay.ReadToEndAsync();
        Assert.Equal(events.Select(e => e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(null),
            all.Select(f => f.Id));
    }

    private Task<BridgeServer> StartBridgeAsync() => BridgeServer.StartAsync(new Dictionary<string, string?>
    {
        ["SagaWorkflows:Transport"] = "RabbitMq",
        ["ConnectionStrings:RabbitMq"] = RabbitMqBroker.Address.ToString(),
        ["SagaWorkflows:Bridge:Queue"] = _queue,
    }, _database);
}
