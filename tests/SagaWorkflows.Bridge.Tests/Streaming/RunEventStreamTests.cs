using System.Net;
using System.Text.Json;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Bridge.Tests.Streaming;

/// <summary><c>GET /runs/{runId}/events</c>, read as raw bytes from a bridge on Kestrel.</summary>
public sealed class RunEventStreamTests : IAsyncLifetime
{
    private BridgeServer _bridge = null!;

    public async Task InitializeAsync() => _bridge = await BridgeServer.StartAsync();

    public async Task DisposeAsync() => await _bridge.DisposeAsync();

    [Fact]
    public async Task A_finished_run_streams_every_event_with_id_event_and_data_lines_in_order_then_end_and_closes()
    {
        var run = new TestRun();
        var events = run.Simple(steps: 2);
        await _bridge.PublishAsync(events);
        await _bridge.WaitForConsumedAsync(events.Count);

        await using var sse = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events");
        Assert.Equal(HttpStatusCode.OK, sse.StatusCode);
        Assert.Equal("text/event-stream", sse.ContentType);
        var frames = await sse.ReadToEndAsync();

        Assert.Equal(events.Count + 1, frames.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var expected = events[i];
            var lines = frames[i].Lines;
            Assert.Contains($"id: {expected.Sequence}", lines);
            Assert.Contains($"event: {expected.Type}", lines);
            var data = JsonDocument.Parse(frames[i].Data!).RootElement;
            Assert.Equal(expected.Sequence, data.GetProperty("sequence").GetInt64());
            Assert.Equal(expected.Type, data.GetProperty("type").GetString());
            Assert.Equal(run.RunId, data.GetProperty("runId").GetGuid());
            Assert.Equal(run.WorkflowId, data.GetProperty("workflowId").GetString());
        }

        var end = frames[^1];
        Assert.Equal("end", end.Event);
        Assert.Null(end.Id);
        Assert.Equal(LifecycleEventTypes.WorkflowComplete, JsonDocument.Parse(end.Data!).RootElement.GetProperty("type").GetString());

        // The exact bytes of the first event, as ASP.NET Core's SSE formatter writes them.
        Assert.Contains($"event: workflow-start\ndata: {JsonSerializer.Serialize(events[0], BridgeJson.Options)}\nid: 1\n\n", sse.Raw);
        Assert.EndsWith("event: end\ndata: " + end.Data + "\n\n", sse.Raw);
    }

    [Fact]
    public async Task Resuming_with_Last_Event_ID_mid_run_gives_exactly_the_missing_events_then_live_ones()
    {
        var run = new TestRun();
        var events = run.Simple(steps: 3); // 8 events
        await _bridge.PublishAsync(events.Take(5));
        await _bridge.WaitForConsumedAsync(5);

        // A first client follows the run and drops after event 3; events 4 and 5 arrive meanwhile.
        await using (var first = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events"))
        {
            var seen = await first.ReadEventsAsync(3);
            Assert.Equal(["1", "2", "3"], seen.Select(f => f.Id));
        }

        await using var resumed = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events", lastEventId: "3");
        var replayed = await resumed.ReadEventsAsync(2);
        Assert.Equal(["4", "5"], replayed.Select(f => f.Id));

        await _bridge.PublishAsync(events.Skip(5));
        var rest = await resumed.ReadToEndAsync();
        Assert.Equal(["6", "7", "8", null], rest.Select(f => f.Id));
        Assert.Equal("end", rest[^1].Event);
    }

    [Fact]
    public async Task Step_progress_is_relayed_live_without_an_id_and_a_reconnect_resumes_the_sequence_without_it()
    {
        var run = new TestRun();
        var events = run.Simple(steps: 2); // 6 events
        await _bridge.PublishAsync(events.Take(2));
        await _bridge.WaitForConsumedAsync(2);
        await using var live = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events");
        Assert.Equal(["1", "2"], (await live.ReadEventsAsync(2)).Select(f => f.Id));

        // Another run's progress is not this stream's business.
        await _bridge.Bus.Publish(Progress(Guid.NewGuid(), 1, 0, "elsewhere"));
        await _bridge.Bus.Publish(Progress(run.RunId, 1, 0, "Once upon "));
        await _bridge.Bus.Publish(Progress(run.RunId, 2, 10, "a time"));
        var progress = await live.ReadEventsAsync(2);
        Assert.All(progress, f => Assert.Equal(StepProgress.EventType, f.Event));
        Assert.All(progress, f => Assert.Null(f.Id));
        Assert.Equal("Once upon a time", string.Concat(progress.Select(f => f.Json.GetProperty("delta").GetString())));
        Assert.Equal([0, 10], progress.Select(f => f.Json.GetProperty("offset").GetInt32()));
        Assert.All(progress, f => Assert.Equal("step1", f.Json.GetProperty("path").GetString()));
        Assert.All(progress, f => Assert.Equal(StepProgress.EventType, f.Json.GetProperty("type").GetString()));

        await _bridge.PublishAsync(events.Skip(2));
        Assert.Equal(["3", "4", "5", "6", null], (await live.ReadToEndAsync()).Select(f => f.Id));

        // The Last-Event-ID a browser keeps is the last lifecycle event's: resuming gives exactly the rest of the sequence.
        await using var resumed = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events", lastEventId: "2");
        var rest = await resumed.ReadToEndAsync();
        Assert.Equal(["3", "4", "5", "6", null], rest.Select(f => f.Id));
        Assert.DoesNotContain(rest, f => f.Event == StepProgress.EventType);
    }

    private static StepProgress Progress(Guid runId, int index, int offset, string delta) => new()
    {
        RunId = runId,
        WorkflowId = "order-fulfillment",
        ExecutionId = Guid.NewGuid(),
        StepId = "step1",
        Path = "step1",
        Attempt = 1,
        Index = index,
        Offset = offset,
        Delta = delta,
        Timestamp = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task The_after_query_parameter_resumes_and_Last_Event_ID_wins_over_it()
    {
        var run = new TestRun();
        var events = run.Simple(steps: 2); // 6 events
        await _bridge.PublishAsync(events);
        await _bridge.WaitForConsumedAsync(events.Count);

        await using (var byQuery = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events?after=4"))
        {
            Assert.Equal(["5", "6", null], (await byQuery.ReadToEndAsync()).Select(f => f.Id));
        }

        // A browser reconnects to its original URL (?after=1) with the id it last saw in the header.
        await using var byHeader = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events?after=1", lastEventId: "5");
        Assert.Equal(["6", null], (await byHeader.ReadToEndAsync()).Select(f => f.Id));
    }

    [Fact]
    public async Task Resuming_at_the_terminal_event_sends_only_end()
    {
        var run = new TestRun();
        var events = run.Simple(steps: 1); // 4 events
        await _bridge.PublishAsync(events);
        await _bridge.WaitForConsumedAsync(events.Count);

        await using var sse = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events", lastEventId: "4");
        var frames = await sse.ReadToEndAsync();

        Assert.Equal("end", Assert.Single(frames).Event);
    }

    [Fact]
    public async Task Events_arriving_out_of_order_are_streamed_in_sequence_without_gaps()
    {
        var run = new TestRun();
        var events = run.Simple(steps: 1); // 1 start, 2 step-start, 3 step-complete, 4 workflow-complete

        await _bridge.PublishAsync(events[0]);
        await _bridge.PublishAsync(events[2]); // sequence 3 before 2
        await _bridge.WaitForConsumedAsync(2);
        Assert.Equal(1, await _bridge.Store.CountHeldAsync(run.RunId, CancellationToken.None));

        await using var sse = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events");
        Assert.Equal("1", (await sse.ReadEventAsync())!.Id);

        await _bridge.PublishAsync(events[1]);
        await _bridge.PublishAsync(events[3]);
        var rest = await sse.ReadToEndAsync();

        Assert.Equal(["2", "3", "4", null], rest.Select(f => f.Id));
        Assert.Equal(0, await _bridge.Store.CountHeldAsync(run.RunId, CancellationToken.None));
    }

    [Fact]
    public async Task A_duplicate_event_changes_nothing_and_is_never_streamed_twice()
    {
        var run = new TestRun();
        var original = run.Event(1, LifecycleEventTypes.WorkflowStart, data: new { v = "original" });
        var step = run.Event(2, LifecycleEventTypes.StepStart, "reserve", 1);
        await _bridge.PublishAsync([original, step]);
        await _bridge.WaitForConsumedAsync(2);

        await using var sse = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events");
        Assert.Equal(["1", "2"], (await sse.ReadEventsAsync(2)).Select(f => f.Id));
        var positionBefore = await _bridge.Store.GetLastPositionAsync();

        await _bridge.PublishAsync([original with { Data = JsonSerializer.SerializeToElement(new { v = "duplicate" }) }, step, step]);
        await _bridge.WaitForConsumedAsync(5);
        Assert.Equal(positionBefore, await _bridge.Store.GetLastPositionAsync());

        await _bridge.PublishAsync(run.Event(3, LifecycleEventTypes.WorkflowComplete));
        Assert.Equal(["3", null], (await sse.ReadToEndAsync()).Select(f => f.Id));

        await using var replay = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events");
        var all = await replay.ReadToEndAsync();
        Assert.Equal(["1", "2", "3", null], all.Select(f => f.Id));
        Assert.Equal("original", all[0].Json.GetProperty("data").GetProperty("v").GetString());
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeat_comments()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?>
        {
            ["SagaWorkflows:Bridge:HeartbeatInterval"] = "00:00:00.100",
        });
        var run = new TestRun();
        await bridge.PublishAsync(run.Event(1, LifecycleEventTypes.WorkflowStart));
        await bridge.WaitForConsumedAsync(1);

        await using var sse = await SseConnection.OpenAsync(bridge.Client, $"/runs/{run.RunId}/events");
        Assert.Equal("1", (await sse.ReadEventAsync())!.Id);
        var next = await sse.ReadFrameAsync(TimeSpan.FromSeconds(5));

        Assert.True(next!.IsComment, $"expected a comment, got {next}");
        Assert.Contains("\n: keepalive\n\n", sse.Raw);
    }

    [Fact]
    public async Task A_run_the_bridge_has_never_seen_answers_404_with_a_problem_body()
    {
        var runId = Guid.NewGuid();
        using var response = await _bridge.Client.GetAsync($"/runs/{runId}/events");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Contains(runId.ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_opened_just_before_the_run_first_event_waits_for_it_instead_of_404()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?>
        {
            ["SagaWorkflows:Bridge:UnknownRunWait"] = "00:00:10",
        });
        var run = new TestRun();
        var open = SseConnection.OpenAsync(bridge.Client, $"/runs/{run.RunId}/events");
        await Eventually.TrueAsync(() => bridge.Hub.SubscriberCount == 1, "the stream to subscribe");

        await bridge.PublishAsync(run.Event(1, LifecycleEventTypes.WorkflowStart));
        await using var sse = await open;

        Assert.Equal(HttpStatusCode.OK, sse.StatusCode);
        Assert.Equal("1", (await sse.ReadEventAsync())!.Id);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task A_bad_Last_Event_ID_answers_400_naming_it(string lastEventId)
    {
        var run = new TestRun();
        await _bridge.PublishAsync(run.Event(1, LifecycleEventTypes.WorkflowStart));
        await _bridge.WaitForConsumedAsync(1);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/runs/{run.RunId}/events");
        request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await _bridge.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Contains("Last-Event-ID", detail, StringComparison.Ordinal);
        Assert.Contains(lastEventId, detail, StringComparison.Ordinal);
    }
}
