using static SagaWorkflows.Testing.Network;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;
using SagaWorkflows.Testing.Fuzz;
using Xunit.Abstractions;

namespace SagaWorkflows.IntegrationTests.Security;

/// <summary>
/// The fuzz suite against the real processes: generated hostile HTTP requests to the bridge, hostile definitions
/// to the orchestrator, and malformed messages on the bus. Each input must get a clear answer (a 4xx problem, a
/// <c>workflow-error</c>, or a rejection), no process may die, and a normal run must still complete promptly after
/// each group. Meanwhile every socket of the three processes is watched: none may reach anything but loopback
/// (the broker, the store, the test's own clients). Bounded to about a minute.
/// </summary>
public sealed class HostileInputTests(WorkflowSystem system, ITestOutputHelper output) : IClassFixture<WorkflowSystem>, IAsyncLifetime
{
    private const int HttpInputs = 120;
    private const int DefinitionInputs = 40;

    /// <summary>Valid but heavy runs: synchronous loops, huge foreach items, large payloads.</summary>
    private const int HeavyInputs = 6;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private readonly int _port = FreePort();
    private HostProcess? _bridge;

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string>(system.Environment)
        {
            ["ConnectionStrings__Bridge"] = $"Data Source={Path.Combine(Path.GetDirectoryName(system.DatabasePath)!, "bridge-fuzz.db")}",
        };
        _bridge = HostProcess.Start("SagaWorkflows.Bridge", environment, null, "--urls", $"http://127.0.0.1:{_port}");
        await system.WaitForConsumerAsync("sagawf-bridge", _bridge);
    }

    public async Task DisposeAsync()
    {
        if (_bridge is not null)
        {
            await _bridge.DisposeAsync();
        }
    }

    [Fact]
    public async Task Hostile_input_through_every_door_gets_clear_errors_and_no_process_reaches_beyond_loopback()
    {
        var processes = new[] { system.Orchestrator!, system.Worker!, _bridge! };
        var seen = new ConcurrentDictionary<string, ProcessConnections.Connection>();
        using var stopWatching = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            while (!stopWatching.IsCancellationRequested)
            {
                foreach (var process in processes)
                {
                    foreach (var connection in ProcessConnections.Of(process.Id))
                    {
                        seen.TryAdd($"{process.Name} {connection.Protocol} {connection.Remote}", connection);
                    }
                }

                await Task.Delay(100);
            }
        });

        // The first run of fresh processes pays for JIT and connections: measured, not judged.
        await AssertHealthyAsync(processes, "before any hostile input", TimeSpan.FromSeconds(30));

        var inputs = new HostileInputs(seed: 1515);
        int tried = 0, clear = 0, serverErrors = 0, hangs = 0;
        var problems = new List<string>();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = RequestTimeout };

        // 1. HTTP: every answer a 2xx or a 4xx problem, never a 5xx or a hang.
        for (var i = 0; i < HttpInputs; i++)
        {
            var (method, path, contentType, body) = inputs.Request();
            using var request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Post)
            {
                request.Content = new ByteArrayContent(body);
                if (contentType is not null)
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                }
            }

            tried++;
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    serverErrors++;
                    problems.Add($"{method} {path[..Math.Min(80, path.Length)]}: {status} {await response.Content.ReadAsStringAsync()}");
                }
                else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json" && status != 404)
                {
                    problems.Add($"{method} {path[..Math.Min(80, path.Length)]}: {status} without a problem body");
                }
                else
                {
                    clear++;
                }
            }
            catch (TaskCanceledException)
            {
                hangs++;
                problems.Add($"{method} {path[..Math.Min(80, path.Length)]}: no answer within {RequestTimeout.TotalSeconds} s");
            }
        }

        await AssertHealthyAsync(processes, "after the HTTP group");

        // 2. Definitions: each run ends (a workflow-error naming the problem, or its own outcome); none hangs.
        var runs = new List<(Guid RunId, string Definition)>();
        for (var i = 0; i < DefinitionInputs; i++)
        {
            var definition = inputs.Definition();
            runs.Add((await system.StartRunAsync(definition, new { n = 1 }), definition));
            tried++;
        }

        for (var i = 0; i < HeavyInputs; i++)
        {
            var definition = inputs.HeavyDefinition(maxIterations: 300);
            runs.Add((await system.StartRunAsync(definition, inputs.HeavyInput()), definition));
            tried++;
        }

        // Every generated definition bounds its run (a 30 s run timeout, or a shorter wait): one shared deadline.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(75);
        foreach (var (runId, definition) in runs)
        {
            try
            {
                var left = deadline - DateTime.UtcNow;
                var events = await system.Events.WaitForTerminalAsync(runId, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
                var end = events[^1];
                if (end.Type == LifecycleEventTypes.WorkflowError
                    && end.Data?.TryGetProperty("error", out var error) == true && error.TryGetProperty("message", out var message)
                    && message.GetString() is { Length: > 0 })
                {
                    clear++;
                }
                else if (end.Type is LifecycleEventTypes.WorkflowComplete or LifecycleEventTypes.WorkflowCancelled)
                {
                    clear++;
                }
                else
                {
                    problems.Add($"run {runId} ended with {end.Type} but no error message: {definition[..Math.Min(200, definition.Length)]}");
                }
            }
            catch (TimeoutException)
            {
                hangs++;
                problems.Add($"run {runId} never ended: {definition[..Math.Min(200, definition.Length)]}");
            }
        }

        await AssertHealthyAsync(processes, "after the definition group");

        // 3. Bus: malformed bodies and messages for runs that do not exist, straight onto the runs queue.
        var rejections = 0;
        var unknownRun = Guid.NewGuid();
        string[] raw =
        [
            "not json at all", "{", "[]", "null", "{\"message\": 12}", new string('[', 5000),
            """{ "messageType": ["urn:message:SagaWorkflows.Contracts:StartWorkflow"], "message": { "runId": "00000000-0000-0000-0000-000000000000", "definition": "{}" } }""",
            """{ "messageType": ["urn:message:SagaWorkflows.Contracts:StartWorkflow"], "message": { "runId": "not-a-guid" } }""",
            """{ "messageType": ["urn:message:SagaWorkflows.Contracts:StepCompleted"], "message": { "runId": "RUN", "executionId": "RUN", "attempt": -5 } }""",
            """{ "messageType": ["urn:message:SagaWorkflows.Contracts:WakeWorkflowRun"], "message": { "runId": "RUN" } }""",
            """{ "messageType": ["urn:message:SagaWorkflows.Contracts:StartWorkflow"], "message": { "runId": "RUN2", "definition": "{ \"id\": \"x\", \"id\": \"y\", \"steps\": [] }" } }""",
        ];
        foreach (var body in raw)
        {
            await Broker.PublishRawAsync(system.VirtualHost, QueueNames.WorkflowRuns,
                Encoding.UTF8.GetBytes(body.Replace("RUN2", Guid.NewGuid().ToString(), StringComparison.Ordinal).Replace("RUN", unknownRun.ToString(), StringComparison.Ordinal)),
                "application/vnd.masstransit+json");
            tried++;
        }

        await system.Bus.Publish(new SignalWorkflow { RunId = unknownRun, Signal = new string('s', 10_000) });
        tried++;
        try
        {
            await system.Events.WaitForRejectionAsync(unknownRun, TimeSpan.FromSeconds(30));
            rejections++;
        }
        catch (OperationCanceledException)
        {
        }

        clear += rejections;
        if (rejections == 0)
        {
            problems.Add("a signal for an unknown run was not rejected");
        }

        await AssertHealthyAsync(processes, "after the bus group");

        await stopWatching.CancelAsync();
        await watching;
        var crashes = processes.Count(p => p.HasExited);
        output.WriteLine($"hostile input fuzz: {tried} inputs tried, {clear} clear errors or clean outcomes, {serverErrors} 5xx, {hangs} hangs, {crashes} crashes");
        output.WriteLine($"connections seen: {string.Join("; ", seen.Keys.Order(StringComparer.Ordinal))}");

        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
        Assert.Equal(0, crashes);
        var beyondLoopback = seen.Where(c => !ProcessConnections.IsLoopback(c.Value.Remote.Address)).Select(c => c.Key + " " + c.Value).ToList();
        Assert.True(beyondLoopback.Count == 0, "a process reached beyond loopback: " + string.Join("; ", beyondLoopback));
        Assert.Contains(seen.Values, c => c.Remote.Port == Broker.Port);
    }

    /// <summary>All three processes alive, and a normal run completing promptly.</summary>
    private async Task AssertHealthyAsync(HostProcess[] processes, string when, TimeSpan? limit = null)
    {
        foreach (var process in processes)
        {
            Assert.False(process.HasExited, $"{process.Name} died {when}:\n{process.Tail()}");
        }

        var watch = Stopwatch.StartNew();
        var runId = await system.StartRunAsync("""{ "id": "canary", "steps": [ { "id": "a", "type": "tool", "tool": "echo", "input": "${ input.n }" } ] }""", new { n = 7 });
        var events = await system.Events.WaitForTerminalAsync(runId, limit ?? TimeSpan.FromSeconds(10), system.Diagnostics);
        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        output.WriteLine($"canary run {when}: {watch.Elapsed.TotalSeconds:0.00} s");
    }

}
