using System.Net.ServerSentEvents;
using System.Text;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Bridge.Tests.Streaming;

/// <summary>The tests' SSE reader (<see cref="SseConnection"/>) itself, on streams written by hand.</summary>
public class SseConnectionTests
{
    // As the bridge writes a run's stream: lifecycle events with an id, progress and the end without one.
    private const string RunStream =
        "event: workflow-start\ndata: {\"sequence\":1}\nid: 1\n\n" +
        "event: step-progress\ndata: {\"percent\":50}\n\n" +
        ": keepalive\n\n" +
        "event: step-complete\ndata: {\"sequence\":2}\nid: 2\n\n" +
        "event: end\ndata: {\"sequence\":2}\n\n";

    [Fact]
    public async Task A_frame_without_an_id_line_has_no_id_not_the_one_before_it()
    {
        await using var sse = Read(RunStream);

        var frames = await sse.ReadToEndAsync();

        Assert.Equal(["workflow-start", "step-progress", "step-complete", "end"], frames.Select(f => f.Event));
        Assert.Equal(["1", null, "2", null], frames.Select(f => f.Id));
        Assert.Equal("{\"percent\":50}", frames[1].Data);
        Assert.Equal(2, frames[2].Sequence);
        Assert.Equal(RunStream, sse.Raw);
    }

    [Fact]
    public async Task A_heartbeat_is_a_comment_frame_that_reading_events_skips()
    {
        await using var frames = Read(RunStream);
        await using var events = Read(RunStream);

        await frames.ReadEventsAsync(2);
        var heartbeat = await frames.ReadFrameAsync();
        await events.ReadEventsAsync(2);
        var next = await events.ReadEventAsync();

        Assert.True(heartbeat!.IsComment);
        Assert.Equal([": keepalive"], heartbeat.Lines);
        Assert.Equal("2", next!.Id);
    }

    [Fact]
    public async Task Fields_follow_the_event_stream_format()
    {
        // CRLF line ends, a value without the optional space, several data lines, a field without a colon.
        await using var sse = Read("id:7\r\nevent:custom\r\ndata: first\r\ndata:second\r\ndata\r\n\r\ndata: only\n\n");

        var frames = await sse.ReadToEndAsync();

        Assert.Equal("7", frames[0].Id);
        Assert.Equal("custom", frames[0].Event);
        Assert.Equal("first\nsecond\n", frames[0].Data);
        Assert.Null(frames[1].Event);
        Assert.Null(frames[1].Id);
        Assert.Equal("only", frames[1].Data);
    }

    [Fact]
    public async Task Reading_until_a_frame_stops_after_it_and_a_frame_cut_off_by_the_end_is_still_read()
    {
        await using var sse = Read("event: a\ndata: 1\n\nevent: b\ndata: 2\n\nevent: c\ndata: 3");

        var untilB = await sse.ReadUntilAsync(f => f.Event == "b");
        var rest = await sse.ReadToEndAsync();

        Assert.Equal(["a", "b"], untilB.Select(f => f.Event));
        Assert.Equal("c", Assert.Single(rest).Event);
    }

    [Fact]
    public async Task It_reads_the_events_the_platform_parser_reads_with_the_same_ids_types_and_data()
    {
        await using var sse = Read(RunStream);
        var parser = SseParser.Create(new MemoryStream(Encoding.UTF8.GetBytes(RunStream)));

        var ours = (await sse.ReadToEndAsync()).Select(f => (f.Id, f.Event, f.Data));
        var platforms = new List<(string?, string?, string)>();
        await foreach (var item in parser.EnumerateAsync())
        {
            platforms.Add((item.EventId, item.EventType, item.Data));
        }

        Assert.Equal(platforms, ours);
        Assert.Equal("2", parser.LastEventId); // what an EventSource would resume from: carried over, unlike EventId
    }

    private static SseConnection Read(string stream) => SseConnection.FromStream(new MemoryStream(Encoding.UTF8.GetBytes(stream)));
}
