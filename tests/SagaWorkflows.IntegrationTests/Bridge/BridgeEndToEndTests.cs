using static SagaWorkflows.Testing.Network;
using SagaWorkflows.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;

namespace SagaWorkflows.IntegrationTests.Bridge;

public sealed class BridgeEndToEndTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly int _port = FreePort();
    private HostProcess? _bridge;

    private Uri BaseAddress => new($"http://127.0.0.1:{_port}");

    public async Task InitializeAsync() => await StartBridgeAsync();

    public async Task DisposeAsync()
    {
        if (_bridge is not null)
        {
            await _bridge.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_run_started_over_http_is_followed_over_sse_and_replays_completely_after_a_bridge_restart()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = Timeout };
        var definition = JsonDocument.Parse("""
        { "id": "bridged", "steps": [
            { "id": "one", "type": "tool", "tool": "echo" },
            { "id": "two", "type": "tool", "tool": "delay", "input": { "ms": 2000 } },
            { "id": "three", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 }, "retry": { "initialInterval": "PT0.3S" } },
            { "id": "four", "type": "tool", "tool": "echo" } ] }
        """).RootElement;

        var response = await http.PostAsJsonAsync("/runs", new { definition, input = new { hello = "bridge" } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();

        // Follow live until the slow step starts, then take the bridge down while the run goes on.
        await ReadUntilAsync(http, runId, f => f.Event == LifecycleEventTypes.StepStart && f.Data.Contains("\"two\"", StringComparison.Ordinal));
        _bridge!.Kill();
        await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);
        await StartBridgeAsync();

        var replayed = await ReadUntilAsync(http, runId, f => f.Event == "end");

        var events = replayed.Where(f => f.Event != "end").ToList();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), events.Select(f => f.Id));
        Assert.Equal(system.Events.Of(runId).Select(e => e.Type), events.Select(f => f.Event));
        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Event);
        Assert.Contains(events, f => f.Event == LifecycleEventTypes.StepRetry);
    }

    [Fact]
    public async Task A_streamed_ai_step_sends_several_step_progress_events_before_step_complete_and_they_add_up_to_its_output()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = Timeout };
        // The offline demo model streams its answer a word at a time, 40 ms apart: about three seconds of text.
        var prompt = string.Join(' ', Enumerable.Range(1, 70).Select(i => $"word{i}"));
        var definition = JsonDocument.Parse($$"""
        { "id": "streamed", "steps": [
            { "id": "pause", "type": "tool", "tool": "delay", "input": { "ms": 1500 } },
            { "id": "story", "type": "ai", "model": "default", "stream": true, "prompt": "{{prompt}}" } ] }
        """).RootElement;

        var response = await http.PostAsJsonAsync("/runs", new { definition, input = new { } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();

        // Connected during the pause: progress is live only.
        var frames = await ReadUntilAsync(http, runId, f => f.Event == "end");

        var complete = frames.FindIndex(f => f.Event == LifecycleEventTypes.StepComplete && f.Data.Contains("\"story\"", StringComparison.Ordinal));
        Assert.True(complete > 0, string.Join('\n', frames.Select(f => $"{f.Id} {f.Event}")) + system.Diagnostics());
        var before = frames.Take(complete).Count(f => f.Event == StepProgress.EventType);
        Assert.True(before >= 3, $"{before} step-progress events before step-complete");
        // Progress travels apart from the lifecycle events: the last batch is not ordered with them, so the text is checked over all of it.
        var progress = frames.Where(f => f.Event == StepProgress.EventType).Select(f => JsonDocument.Parse(f.Data).RootElement).ToList();
        Assert.DoesNotContain(frames, f => f.Event == StepProgress.EventType && f.Id is not null);
        Assert.Equal(Enumerable.Range(1, progress.Count), progress.Select(p => p.GetProperty("index").GetInt32()));
        Assert.All(progress, p => Assert.Equal("story", p.GetProperty("path").GetString()));
        var output = JsonDocument.Parse(frames[complete].Data).RootElement.GetProperty("data").GetProperty("output").GetString();
        Assert.Equal($"[offline demo model] {prompt}", output);
        Assert.Equal(output, string.Concat(progress.Select(p => p.GetProperty("delta").GetString())));

        // Lifecycle ids stay gapless around the progress, and resuming from any of them skips the progress.
        var lifecycle = frames.Where(f => f.Event is not "end" && f.Event != StepProgress.EventType).ToList();
        Assert.Equal(Enumerable.Range(1, lifecycle.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), lifecycle.Select(f => f.Id));
        var resumed = await ReadUntilAsync(http, runId, f => f.Event == "end", after: 2);
        Assert.Equal(lifecycle.Skip(2).Select(f => f.Id).Append(null), resumed.Select(f => f.Id));
    }

    [Fact]
    public async Task Sagawf_start_watch_against_real_broker_orchestrator_worker_and_bridge_completes_and_exits_0()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { RepositoryPaths.HostAssembly("SagaWorkflows.Cli", "sagawf"), "start", "samples/hello.json", "--input", "@samples/inputs/hello.json",
                     "--watch", "--bridge", BaseAddress.ToString(), "--rabbitmq", Broker.AmqpUri(system.VirtualHost) })
        {
            start.ArgumentList.Add(argument);
        }

        using var cli = System.Diagnostics.Process.Start(start)!;
        var stdout = cli.StandardOutput.ReadToEndAsync();
        var stderr = cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync(new CancellationTokenSource(Timeout).Token);

        var output = await stdout;
        Assert.True(cli.ExitCode == 0, $"exit {cli.ExitCode}\n{output}\n{await stderr}\n{system.Diagnostics()}");
        Assert.Contains("workflow hello completed", output, StringComparison.Ordinal);
        Assert.Contains("HELLO, ADA!", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_bridge_leaves_no_step_progress_queue_behind()
    {
        static async Task<List<(string Name, string Type, bool Durable, bool AutoDelete, bool Exclusive)>> ProgressQueuesAsync(string vhost) =>
            (await RabbitMqCtl.ListQueuesAsync(vhost)).Where(q => q.Name.StartsWith("sagawf-bridge-progress-", StringComparison.Ordinal)).ToList();

        var deadline = DateTime.UtcNow + Timeout;
        var queues = await ProgressQueuesAsync(system.VirtualHost);
        while (queues.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the bridge declared no step-progress queue\n{_bridge!.Tail()}");
            await Task.Delay(100); // the broker is the only place to look
            queues = await ProgressQueuesAsync(system.VirtualHost);
        }

        var queue = Assert.Single(queues);
        Assert.True(queue is { Durable: false, Exclusive: true }, $"{queue} is not a temporary queue of the bridge's connection");

        _bridge!.Kill();

        // Well inside the queue's one-minute x-expires: gone because its connection closed, not because it expired.
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await ProgressQueuesAsync(system.VirtualHost)).Any(q => q.Name == queue.Name))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{queue.Name} outlived the killed bridge");
            await Task.Delay(100); // the broker is the only place to look
        }
    }

    private async Task StartBridgeAsync()
    {
        var environment = new Dictionary<string, string>(system.Environment)
        {
            ["ConnectionStrings__Bridge"] = $"Data Source={Path.Combine(Path.GetDirectoryName(system.DatabasePath)!, "bridge.db")}",
        };
        _bridge = HostProcess.Start("SagaWorkflows.Bridge", environment, null, "--urls", BaseAddress.ToString());
        await system.WaitForConsumerAsync("sagawf-bridge", _bridge);
    }

    /// <summary>Reads the run's SSE stream from the start up to the first frame that is <paramref name="last"/>, or the stream's end.</summary>
    private static async Task<List<SseFrame>> ReadUntilAsync(HttpClient http, Guid runId, Func<SseFrame, bool> last, long? after = null)
    {
        await using var sse = await SseConnection.OpenAsync(http, $"/runs/{runId}/events{(after is { } a ? $"?after={a}" : "")}", timeout: Timeout);
        Assert.True(sse.StatusCode == HttpStatusCode.OK, $"GET /runs/{runId}/events: {sse.StatusCode}");
        return await sse.ReadUntilAsync(last, Timeout);
    }
}
