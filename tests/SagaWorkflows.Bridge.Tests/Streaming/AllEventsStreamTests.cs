using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Bridge.Tests.Streaming;

/// <summary><c>GET /events</c>: every run, ids are bridge-wide positions.</summary>
public sealed class AllEventsStreamTests : IAsyncLifetime
{
    private BridgeServer _bridge = null!;

    public async Task InitializeAsync() => _bridge = await BridgeServer.StartAsync();

    public async Task DisposeAsync() => await _bridge.DisposeAsync();

    [Fact]
    public async Task Every_run_is_streamed_with_consecutive_positions_and_resumes_from_Last_Event_ID()
    {
        var a = new TestRun("flow-a");
        var b = new TestRun("flow-b");
        var events = a.Simple(1).Zip(b.Simple(1), (x, y) => new[] { x, y }).SelectMany(pair => pair).ToList(); // 8
        await _bridge.PublishAsync(events);
        await _bridge.WaitForConsumedAsync(events.Count);

        await using (var all = await SseConnection.OpenAsync(_bridge.Client, "/events?after=0"))
        {
            var frames = await all.ReadEventsAsync(events.Count);
            Assert.Equal(Enumerable.Range(1, 8).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                frames.Select(f => f.Id));
            Assert.Equal(4, frames.Count(f => f.Json.GetProperty("runId").GetGuid() == a.RunId));
            foreach (var run in new[] { a, b })
            {
                // Within each run the order is the run's sequence order.
                var sequences = frames.Where(f => f.Json.GetProperty("runId").GetGuid() == run.RunId).Select(f => f.Sequence);
                Assert.Equal([1L, 2, 3, 4], sequences);
            }
        }

        await using var resumed = await SseConnection.OpenAsync(_bridge.Client, "/events", lastEventId: "6");
        Assert.Equal(["7", "8"], (await resumed.ReadEventsAsync(2)).Select(f => f.Id));
        var c = new TestRun("flow-c");
        await _bridge.PublishAsync(c.Event(1, LifecycleEventTypes.WorkflowStart));
        Assert.Equal("9", (await resumed.ReadEventAsync())!.Id);
    }

    [Fact]
    public async Task Without_a_position_the_stream_is_live_only()
    {
        var old = new TestRun();
        await _bridge.PublishAsync(old.Simple(1));
        await _bridge.WaitForConsumedAsync(4);

        await using var live = await SseConnection.OpenAsync(_bridge.Client, "/events");
        var fresh = new TestRun();
        await _bridge.PublishAsync(fresh.Event(1, LifecycleEventTypes.WorkflowStart));
        var frame = (await live.ReadEventAsync())!;

        Assert.Equal("5", frame.Id);
        Assert.Equal(fresh.RunId, frame.Json.GetProperty("runId").GetGuid());
    }
}
