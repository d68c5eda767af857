using Xunit.Abstractions;

namespace SagaWorkflows.Cli.Tests;

public sealed class WatchCommandTests(ITestOutputHelper output) : IAsyncDisposable
{
    private readonly FakeBridge _bridge = new();

    public async ValueTask DisposeAsync() => await _bridge.DisposeAsync();

    private async Task<CliResult> WatchAsync(Guid runId, params string[] extra)
    {
        var result = await CliProcess.RunAsync(["watch", runId.ToString(), "--bridge", _bridge.Url, .. extra]);
        output.WriteLine(result.ToString());
        return result;
    }

    [Fact]
    public async Task Completed_run_renders_as_a_timeline_of_its_steps_and_exits_0()
    {
        var runId = Guid.NewGuid();
        _bridge.AddRun(runId, EngineScript.Play("hello", runId));

        var result = await WatchAsync(runId);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdOutLines;
        AssertInOrder(lines,
            $"● workflow hello v1 started · run {runId}",
            "▶ greet · tool",
            "✔ greet · 150 ms",
            "▶ pause · tool",
            "✔ pause",
            "▶ shout · tool",
            "✔ shout",
            "✔ workflow hello completed · in 450 ms",
            "output {\"message\":\"HELLO, ADA!\",\"waitedMs\":200}",
            "✔ hello completed in 450 ms · 3 steps · 0 retries · 0 compensated",
            "── ✔ greet tool · 150 ms");
    }

    [Fact]
    public async Task Failed_run_shows_retries_the_error_and_compensation_in_reverse_order_and_exits_5()
    {
        var runId = Guid.NewGuid();
        _bridge.AddRun(runId, EngineScript.Play("compensation", runId));

        var result = await WatchAsync(runId);

        Assert.True(result.ExitCode == 5, result.ToString());
        AssertInOrder(result.StdOutLines,
            "✔ reserve",
            "✔ charge",
            "▶ ship · tool",
            "↻ ship · attempt 1 failed: CarrierDown: the carrier rejected shipment of A-3003 · retrying as attempt 2 in 200 ms",
            "✖ ship · CarrierDown: the carrier rejected shipment of A-3003 after 2 attempts",
            "↩ compensation started · the run failed; undoing in reverse order: charge, reserve",
            "↩ charge compensated · by echo",
            "↩ reserve compensated · by echo",
            "↩ compensation complete",
            "✖ workflow compensation failed (Compensated)",
            "✖ compensation failed (Compensated)");
    }

    [Fact]
    public async Task Nested_steps_are_indented_under_their_parallel_foreach_loop_and_branch()
    {
        var runId = Guid.NewGuid();
        _bridge.AddRun(runId, EngineScript.Play("control-flow", runId));

        var result = await WatchAsync(runId);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdOutLines;
        Assert.Contains(lines, l => l.Contains("  ▶ fanOut · parallel", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("    ▶ fanOut.quick · tool", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("    ✔ each[2].square", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("    ✔ countdown#3.tick", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("    ✔ size.few", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("  ✔ nap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dropped_stream_resumes_with_Last_Event_ID_and_shows_every_event_once()
    {
        var runId = Guid.NewGuid();
        var events = EngineScript.Play("hello", runId);
        _bridge.AddRun(runId, events);
        _bridge.DropFirstStreamAfter(runId, 3);

        var result = await WatchAsync(runId);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["", "3"], _bridge.LastEventIds);
        Assert.Contains("reconnecting", result.StdErr, StringComparison.Ordinal);
        var timeline = result.StdOutLines.Where(l => l.StartsWith('+')).ToList();
        Assert.Single(timeline, l => l.Contains("● workflow hello v1 started", StringComparison.Ordinal));
        foreach (var step in new[] { "greet", "pause", "shout" })
        {
            Assert.Single(timeline, l => l.Contains($"▶ {step} ", StringComparison.Ordinal));
            Assert.Single(timeline, l => l.Contains($"✔ {step} ", StringComparison.Ordinal));
        }

        Assert.Equal(8, timeline.Count);
    }

    [Fact]
    public async Task Waiting_step_says_which_signal_resumes_it_and_a_cancelled_run_exits_6()
    {
        var runId = Guid.NewGuid();
        _bridge.AddRun(runId, EngineScript.Play("approval", runId, cancelWhenWaiting: true));

        var result = await WatchAsync(runId);

        Assert.True(result.ExitCode == 6, result.ToString());
        AssertInOrder(result.StdOutLines,
            "⏸ approve · waiting for signal 'approval'",
            $"resume it with: sagawf signal {runId} approval --payload",
            "⊘ workflow approval cancelled",
            "── ✔ request tool",
            "── ⊘ approve wait · 150 ms · stopped");
    }

    [Fact]
    public async Task Unknown_run_exits_4_naming_the_run_and_the_bridge()
    {
        var runId = Guid.NewGuid();

        var result = await WatchAsync(runId);

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains($"the bridge at {_bridge.Url}/ does not know run {runId}", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bridge_address_comes_from_SAGAWF_BRIDGE_when_no_option_is_given()
    {
        var runId = Guid.NewGuid();
        _bridge.AddRun(runId, EngineScript.Play("hello", runId));

        var result = await CliProcess.RunAsync(["watch", runId.ToString()], new Dictionary<string, string?> { ["SAGAWF_BRIDGE"] = _bridge.Url });

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Unreachable_bridge_fails_fast_saying_what_was_tried_and_how_to_fix_it()
    {
        var result = await CliProcess.RunAsync("watch", Guid.NewGuid().ToString(), "--bridge", "http://127.0.0.1:1");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(15), $"took {result.Elapsed}");
        Assert.Contains("cannot reach the bridge at http://127.0.0.1:1/ (--bridge)", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("dotnet run --project src/SagaWorkflows.Bridge", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>Each expected fragment appears in a later line than the previous one.</summary>
    internal static void AssertInOrder(IReadOnlyList<string> lines, params string[] fragments)
    {
        var from = 0;
        foreach (var fragment in fragments)
        {
            var index = -1;
            for (var i = from; i < lines.Count; i++)
            {
                if (lines[i].Contains(fragment, StringComparison.Ordinal))
                {
                    index = i;
                    break;
                }
            }

            Assert.True(index >= 0, $"'{fragment}' not found after line {from} in:\n{string.Join('\n', lines)}");
            from = index + 1;
        }
    }
}
