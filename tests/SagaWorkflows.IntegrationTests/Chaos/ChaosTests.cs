using static SagaWorkflows.Testing.Network;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;
using Xunit.Abstractions;

namespace SagaWorkflows.IntegrationTests.Chaos;

/// <summary>
/// Dozens of mixed runs on real processes and the real broker while the worker, the orchestrator and the
/// bridge are each killed with SIGKILL and restarted, and every connection to the fixture's virtual host is
/// closed by the broker. Every run must end with its exact expected output, its stream as the bridge relays
/// it must be events 1..N without gap or duplicate, and each compensation must be reported exactly once, in
/// reverse order. Bounded to about two minutes.
/// </summary>
/// <remarks>
/// The broker outage is the broker closing every connection of this fixture's virtual host
/// (<c>rabbitmqctl close_all_connections -p</c>), not a stop of the broker: the broker is shared with the
/// other test classes running at the same time, and stopping it would fail them. For every client of the
/// virtual host the effect is the same as a broker restart: connections drop, unacknowledged messages are
/// redelivered, clients reconnect.
/// </remarks>
public sealed class ChaosTests(WorkflowSystem system, ITestOutputHelper output) : IClassFixture<WorkflowSystem>, IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(150);
    private readonly Uri _bridgeAddress = new($"http://127.0.0.1:{FreePort()}/");
    private HostProcess? _bridge;

    private const string Chain = """
        { "id": "chaos-chain", "steps": [
            { "id": "a", "type": "tool", "tool": "echo", "input": { "n": "${ input.n }" } },
            { "id": "b", "type": "tool", "tool": "delay", "input": { "ms": 400, "n": "${ steps.a.n }" } },
            { "id": "c", "type": "tool", "tool": "echo", "input": { "n": "${ steps.b.n }" } } ],
          "output": "${ steps.c.n }" }
        """;

    private const string Fan = """
        { "id": "chaos-fan", "steps": [
            { "id": "p", "type": "parallel", "branches": {
                "x": [ { "id": "px", "type": "tool", "tool": "delay", "input": { "ms": 300, "v": "${ input.n }" } } ],
                "y": [ { "id": "py", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 }, "retry": { "initialInterval": "PT0.3S" } } ] } },
            { "id": "each", "type": "foreach", "items": "input.items", "concurrency": 2, "steps": [
                { "id": "e", "type": "tool", "tool": "echo", "input": { "i": "${ item }" } } ] } ],
          "output": { "x": "${ steps.p.x.v }", "y": "${ steps.p.y.attempt }", "items": "${ steps.each }" } }
        """;

    private const string Undo = """
        { "id": "chaos-undo", "steps": [
            { "id": "s1", "type": "tool", "tool": "echo", "input": { "n": 1 }, "compensate": { "tool": "echo", "input": { "undo": 1 } } },
            { "id": "s2", "type": "tool", "tool": "delay", "input": { "ms": 300, "n": 2 }, "compensate": { "tool": "echo", "input": { "undo": 2 } } },
            { "id": "s3", "type": "tool", "tool": "echo", "input": { "n": 3 }, "compensate": { "tool": "delay", "input": { "ms": 200, "undo": 3 } } },
            { "id": "s4", "type": "tool", "tool": "fail", "input": { "errorType": "Boom" }, "retry": { "maxAttempts": 1 } } ] }
        """;

    public async Task InitializeAsync() => await StartBridgeAsync();

    public async Task DisposeAsync()
    {
        if (_bridge is not null)
        {
            await _bridge.DisposeAsync();
        }
    }

    [Fact]
    public async Task Mixed_runs_survive_SIGKILLed_processes_and_dropped_broker_connections_with_exact_outputs_and_gapless_streams()
    {
        var clock = Stopwatch.StartNew();
        var expected = new Dictionary<Guid, (string Kind, string? Output)>();
        var faults = 0;

        async Task StartWaveAsync(int wave)
        {
            for (var i = 0; i < 12; i++)
            {
                var n = (wave * 100) + i;
                switch (i % 3)
                {
                    case 0:
                        expected[await system.StartRunAsync(Chain, new { n })] = ("chain", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    case 1:
                        expected[await system.StartRunAsync(Fan, new { n, items = new[] { n, n + 1, n + 2 } })] =
                            ("fan", $$"""{"x":{{n}},"y":2,"items":[{"i":{{n}}},{"i":{{n + 1}}},{"i":{{n + 2}}}]}""");
                        break;
                    default:
                        expected[await system.StartRunAsync(Undo, new { n })] = ("undo", null);
                        break;
                }
            }
        }

        await StartWaveAsync(0);

        // The kills must hit runs in flight: wait until the first run is inside its slow step.
        await system.Events.WaitForAsync(expected.Keys.First(), e => e.Any(x => x.Type == LifecycleEventTypes.StepStart && x.Path == "b"), Bound, system.Diagnostics);
        system.Worker!.Kill();
        await system.StartWorkerAsync();
        faults++;

        await StartWaveAsync(1);
        system.Orchestrator!.Kill();
        await system.StartOrchestratorAsync();
        faults++;

        _bridge!.Kill();
        await StartWaveAsync(2);
        await StartBridgeAsync();
        faults++;

        await RabbitMqCtl.RunAsync(null, CancellationToken.None, "close_all_connections", "-p", system.VirtualHost, "chaos test: broker connections dropped");
        faults++;
        system.Worker!.Kill();
        system.Orchestrator!.Kill();
        await system.StartOrchestratorAsync();
        await system.StartWorkerAsync();
        faults++;

        int correct = 0, lost = 0, duplicated = 0, stuck = 0;
        var problems = new List<string>();
        using var http = new HttpClient { BaseAddress = _bridgeAddress };
        foreach (var (runId, (kind, output)) in expected)
        {
            var left = Bound - clock.Elapsed;
            var frames = await ReadStreamAsync(http, runId, left > TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5));
            var verdict = Judge(kind, output, frames);
            switch (verdict)
            {
                case null:
                    correct++;
                    continue;
                case var v when v.StartsWith("stuck", StringComparison.Ordinal):
                    stuck++;
                    break;
                case var v when v.StartsWith("duplicated", StringComparison.Ordinal):
                    duplicated++;
                    break;
                default:
                    lost++;
                    break;
            }

            var observed = system.Events.Of(runId);
            problems.Add($"{kind} run {runId}: {verdict} (the test's own subscriber saw {observed.Count} events, last {(observed.Count > 0 ? observed[^1].Type : "none")}; bridge: {LastAnswer})\n    {string.Join("\n    ", frames.Select(f => $"{f.Id} {f.Event} {f.Data}"))}");
        }

        var figure = $"chaos: {expected.Count} runs, {correct} correct, {faults} faults survived, {lost} lost, {duplicated} duplicated, {stuck} stuck, in {clock.Elapsed.TotalSeconds:F0} s";
        output.WriteLine(figure);
        Console.WriteLine(figure);
        Assert.True(correct == expected.Count, $"{figure}\n{string.Join("\n", problems.Take(5))}\n{system.Diagnostics()}\n--- bridge ---\n{_bridge?.Tail()}");
    }

    /// <summary>Null when the run's relayed stream is exactly right; otherwise what is wrong with it.</summary>
    private static string? Judge(string kind, string? output, List<SseFrame> frames)
    {
        var events = frames.Where(f => f.Event != "end").ToList();
        if (events.Count == 0)
        {
            return "lost: the bridge has no event of it";
        }

        var ids = events.Select(f => long.Parse(f.Id!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (ids.Distinct().Count() != ids.Count)
        {
            return "duplicated: a sequence number came twice";
        }

        if (!ids.SequenceEqual(Enumerable.Range(1, ids.Count).Select(i => (long)i)))
        {
            return $"lost: the stream is not 1..N ({string.Join(",", ids)})";
        }

        if (frames[^1].Event != "end" || events[^1].Event is not { } type || !LifecycleEventTypes.IsTerminal(type))
        {
            return "stuck: no terminal event within the bound";
        }

        using var last = JsonDocument.Parse(events[^1].Data);
        if (kind == "undo")
        {
            var compensated = events.Where(f => f.Event == LifecycleEventTypes.StepCompensated)
                .Select(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("path").GetString()).ToList();
            if (compensated.Count != compensated.Distinct().Count())
            {
                return "duplicated: a step compensated twice";
            }

            if (!compensated.SequenceEqual(["s3", "s2", "s1"]) || events[^1].Event != LifecycleEventTypes.WorkflowError
                || last.RootElement.GetProperty("data").GetProperty("status").GetString() != "Compensated")
            {
                return $"wrong: compensated [{string.Join(", ", compensated)}], ended {events[^1].Event}";
            }

            return null;
        }

        if (events[^1].Event != LifecycleEventTypes.WorkflowComplete)
        {
            return $"wrong: ended {events[^1].Event}";
        }

        var actual = last.RootElement.GetProperty("data").GetProperty("output").GetRawText();
        return actual == output ? null : $"wrong output {actual}, expected {output}";
    }

    private static string LastAnswer { get; set; } = "";

    /// <summary>The run's stream as the bridge relays it, history then live, until <c>end</c> or the time is up.</summary>
    private static async Task<List<SseFrame>> ReadStreamAsync(HttpClient http, Guid runId, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var frames = new List<SseFrame>();
        while (deadline - DateTime.UtcNow is var left && left > TimeSpan.Zero)
        {
            frames.Clear();
            try
            {
                await using var sse = await SseConnection.OpenAsync(http, $"runs/{runId}/events", timeout: left);
                LastAnswer = $"{(int)sse.StatusCode}";
                if (sse.StatusCode != HttpStatusCode.OK)
                {
                    await Task.Delay(200, CancellationToken.None); // the bridge has not seen the run yet: ask again
                    continue;
                }

                while (deadline - DateTime.UtcNow is var wait && wait > TimeSpan.Zero && await sse.ReadEventAsync(wait) is { } frame)
                {
                    frames.Add(frame);
                    if (frame.Event == "end")
                    {
                        return frames;
                    }
                }
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                break;
            }
            catch (HttpRequestException ex)
            {
                LastAnswer = ex.Message;
                await Task.Delay(200, CancellationToken.None); // the bridge is restarting
            }
        }

        return frames;
    }

    private async Task StartBridgeAsync()
    {
        var environment = new Dictionary<string, string>(system.Environment)
        {
            ["ConnectionStrings__Bridge"] = $"Data Source={Path.Combine(Path.GetDirectoryName(system.DatabasePath)!, "bridge.db")}",
        };
        _bridge = HostProcess.Start("SagaWorkflows.Bridge", environment, null, "--urls", _bridgeAddress.ToString());
        await system.WaitForConsumerAsync("sagawf-bridge", _bridge);
    }

}
