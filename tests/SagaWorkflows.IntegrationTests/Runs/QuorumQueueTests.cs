using static SagaWorkflows.Testing.Network;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Runs;

/// <summary>The deployment of <see cref="WorkflowSystem"/> with <c>SagaWorkflows__Bus__QueueType=quorum</c> on every host.</summary>
public sealed class QuorumWorkflowSystem : WorkflowSystem
{
    public override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(base.Environment)
    {
        ["SagaWorkflows__Bus__QueueType"] = "quorum",
    };
}

/// <summary>
/// Quorum queues on the real broker: a run with a tool step, a retry (a scheduled redelivery through the durable
/// scheduler), a sleep (an outbox wake-up through the scheduler) and a compensation (a Courier slip), started over the
/// bridge's HTTP API and followed over its SSE stream; afterwards every durable queue of the virtual host is a quorum
/// queue. A queue's type is fixed when it is first declared, so one classic declaration anywhere would have failed the
/// host declaring it the other way (PRECONDITION_FAILED).
/// </summary>
public sealed class QuorumQueueTests(QuorumWorkflowSystem system) : IClassFixture<QuorumWorkflowSystem>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly Uri _bridgeAddress = new($"http://127.0.0.1:{FreePort()}");
    private HostProcess? _bridge;

    private const string Path = """
        { "id": "quorum-path", "steps": [
            { "id": "reserve", "type": "tool", "tool": "echo", "input": { "n": "${ input.n }" }, "compensate": { "tool": "echo", "input": { "undo": "${ steps.reserve.n }" } } },
            { "id": "shaky", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 }, "retry": { "initialInterval": "PT0.2S" } },
            { "id": "nap", "type": "sleep", "duration": "PT1S" },
            { "id": "boom", "type": "tool", "tool": "fail", "input": { "errorType": "Boom" }, "retry": { "maxAttempts": 1 } } ] }
        """;

    // No worker hosts this tool: its command must wait in a queue declared (as a quorum queue) by the sender.
    private const string Unhosted = """
        { "id": "quorum-unhosted", "steps": [ { "id": "later", "type": "tool", "tool": "not-deployed-yet" } ] }
        """;

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string>(system.Environment)
        {
            ["ConnectionStrings__Bridge"] = $"Data Source={System.IO.Path.Combine(System.IO.Path.GetDirectoryName(system.DatabasePath)!, "bridge.db")}",
        };
        _bridge = HostProcess.Start("SagaWorkflows.Bridge", environment, null, "--urls", _bridgeAddress.ToString());
        await system.WaitForConsumerAsync(QueueNames.Bridge, _bridge);
    }

    public async Task DisposeAsync()
    {
        if (_bridge is not null)
        {
            await _bridge.DisposeAsync();
        }
    }

    [Fact]
    public async Task Retries_sleeps_compensation_and_the_bridge_work_on_quorum_queues_and_every_durable_queue_is_a_quorum_queue()
    {
        using var http = new HttpClient { BaseAddress = _bridgeAddress, Timeout = Timeout };
        var response = await http.PostAsJsonAsync("/runs", new { definition = JsonDocument.Parse(Path).RootElement, input = new { n = 7 } });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{_bridge!.Tail()}");
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        var unhosted = await system.StartRunAsync(Unhosted);

        var frames = await ReadStreamAsync(http, runId);

        var events = frames.Where(f => f.Event != "end").ToList();
        Assert.True(frames.Count > 0 && frames[^1].Event == "end", $"the stream did not end: {string.Join(", ", frames.Select(f => f.Event))}\n{system.Diagnostics()}\n--- bridge ---\n{_bridge!.Tail()}");
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), events.Select(f => f.Id));
        Assert.Contains(events, f => f.Event == LifecycleEventTypes.StepRetry);
        Assert.Contains(events, f => f.Event == LifecycleEventTypes.StepComplete && f.Data.Contains("\"nap\"", StringComparison.Ordinal));
        var compensated = Assert.Single(events, f => f.Event == LifecycleEventTypes.StepCompensated);
        Assert.Contains("\"reserve\"", compensated.Data, StringComparison.Ordinal);
        Assert.Equal(LifecycleEventTypes.WorkflowError, events[^1].Event);
        Assert.Equal("Compensated", JsonDocument.Parse(events[^1].Data).RootElement.GetProperty("data").GetProperty("status").GetString());

        // The command for the tool nobody hosts waits in its queue.
        await system.Events.WaitForAsync(unhosted, e => e.Any(x => x.Type == LifecycleEventTypes.StepStart), Timeout, system.Diagnostics);
        await Poll.UntilAsync(async () => await Broker.QueueInfoAsync(system.VirtualHost, QueueNames.Tool("not-deployed-yet")) is { Messages: 1 },
            Timeout, "the command for the unhosted tool waiting in its queue", TimeSpan.FromMilliseconds(100), system.Diagnostics); // the broker is the only place to look

        var queues = await RabbitMqCtl.ListQueuesAsync(system.VirtualHost);
        var durable = queues.Where(q => q.Durable).ToList();
        Assert.Superset(
            new HashSet<string>
            {
                QueueNames.WorkflowRuns, QueueNames.Scheduler, QueueNames.Bridge, QueueNames.Tool("echo"), QueueNames.Tool("flaky"),
                QueueNames.Compensation("echo"), QueueNames.Tool("not-deployed-yet"), "sagawf-orchestrator-purge",
            },
            durable.Select(q => q.Name).ToHashSet());
        Assert.All(durable, q => Assert.True(q.Type == "quorum", $"{q.Name} is a {q.Type} queue"));

        // What is left classic goes away with its connection: the buses' own reply queues, the bridge's step-progress
        // queue and the test's observer, which cannot be quorum queues. MassTransit declares a temporary endpoint's queue
        // exclusive with a one-minute x-expires (and so not auto-delete); merely not durable would outlive its process.
        Assert.All(queues.Where(q => q.Type != "quorum"), q => Assert.True(q.Exclusive || q.AutoDelete, $"{q.Name} is a {q.Type} queue that outlives its connection"));
    }

    private static async Task<List<SseFrame>> ReadStreamAsync(HttpClient http, Guid runId)
    {
        await using var sse = await SseConnection.OpenAsync(http, $"/runs/{runId}/events", timeout: Timeout);
        Assert.True(sse.StatusCode == HttpStatusCode.OK, $"GET /runs/{runId}/events: {sse.StatusCode}");
        return await sse.ReadUntilAsync(f => f.Event == "end", Timeout);
    }
}
