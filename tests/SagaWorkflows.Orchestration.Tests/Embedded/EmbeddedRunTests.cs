using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.AI;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Tests.Embedded;

public class EmbeddedRunTests
{
    [Fact]
    public async Task On_the_in_memory_transport_a_retried_step_and_every_node_type_complete()
    {
        await using var system = await EmbeddedSystem.StartAsync();
        const string definition = """
        { "id": "everything", "steps": [
            { "id": "flaky", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 }, "retry": { "initialInterval": "PT0.2S" } },
            { "id": "fan", "type": "parallel", "branches": {
                "a": [ { "id": "each", "type": "foreach", "items": "[1,2,3]", "concurrency": 2, "steps": [ { "id": "e", "type": "tool", "tool": "echo" } ] } ],
                "b": [ { "id": "again", "type": "loop", "while": "iteration < 2", "steps": [ { "id": "l", "type": "tool", "tool": "echo", "input": "${ iteration }" } ] } ] } },
            { "id": "nap", "type": "sleep", "duration": "PT0.2S" },
            { "id": "pick", "type": "branch", "cases": [ { "when": "steps.fan.b == 2", "steps": [ { "id": "yes", "type": "tool", "tool": "echo", "input": "two" } ] } ] },
            { "id": "think", "type": "ai", "model": "default", "prompt": "hello" } ],
          "output": { "attempt": "${ steps.flaky.attempt }", "a": "${ steps.fan.a }", "pick": "${ steps.pick }", "think": "${ steps.think }" } }
        """;

        var events = await system.RunAsync(definition);

        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        Assert.Equal("""{"attempt":2,"a":[1,2,3],"pick":"two","think":"[offline demo model] hello"}""",
            JsonSerializer.Serialize(events[^1].Data!.Value.GetProperty("output")));
        Assert.Contains(events, e => e.Type == LifecycleEventTypes.StepRetry && e.Path == "flaky");
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task On_the_in_memory_transport_a_failed_run_is_compensated_in_reverse_order()
    {
        await using var system = await EmbeddedSystem.StartAsync();
        const string definition = """
        { "id": "undo", "steps": [
            { "id": "one", "type": "tool", "tool": "echo", "compensate": { "tool": "echo" } },
            { "id": "two", "type": "tool", "tool": "echo", "compensate": { "tool": "echo" } },
            { "id": "boom", "type": "tool", "tool": "fail", "retry": { "maxAttempts": 1 } } ] }
        """;

        var events = await system.RunAsync(definition);

        Assert.Equal(["two", "one"], events.Where(e => e.Type == LifecycleEventTypes.StepCompensated).Select(e => e.Path));
        Assert.Equal("Compensated", events[^1].Data!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_ai_reply_that_does_not_match_the_output_schema_is_retried_with_the_violations_named()
    {
        var model = new ScriptedChatClient("""{ "wrong": 1 }""", """{ "text": "fine" }""");
        await using var system = await EmbeddedSystem.StartAsync(w => w.AddChatClient("scripted", _ => model));
        const string definition = """
        { "id": "ai", "steps": [ { "id": "ask", "type": "ai", "model": "scripted", "system": "Be brief.", "prompt": "Say ${ input.word }",
            "outputSchema": { "type": "object", "required": ["text"] }, "retry": { "initialInterval": "PT0.1S" } } ] }
        """;

        var events = await system.RunAsync(definition, new { word = "hi" });

        var retry = Assert.Single(events, e => e.Type == LifecycleEventTypes.StepRetry);
        var error = retry.Data!.Value.GetProperty("error");
        Assert.Equal("InvalidModelOutput", error.GetProperty("type").GetString());
        Assert.Contains("$.text: is required", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("""{"text":"fine"}""", JsonSerializer.Serialize(events[^1].Data!.Value.GetProperty("output")));
        Assert.Equal(["Be brief.", "Say hi"], model.Prompts[0]);
        Assert.NotNull(model.Formats[0]);
    }

    [Fact]
    public async Task A_tool_can_override_the_next_retry_delay()
    {
        var calls = 0;
        await using var system = await EmbeddedSystem.StartAsync(w => w.AddToolWithContext("rate-limited", (_, _) =>
            Interlocked.Increment(ref calls) == 1
                ? throw new WorkerSdk.Tools.ToolException("TooManyRequests", "slow down", retryAfter: TimeSpan.FromMilliseconds(300))
                : Task.FromResult<System.Text.Json.Nodes.JsonNode?>(System.Text.Json.Nodes.JsonValue.Create("ok"))));
        const string definition = """
        { "id": "retry-after", "steps": [ { "id": "call", "type": "tool", "tool": "rate-limited", "retry": { "initialInterval": "PT30S" } } ] }
        """;

        var events = await system.RunAsync(definition);

        var retry = Assert.Single(events, e => e.Type == LifecycleEventTypes.StepRetry);
        Assert.Equal(300, retry.Data!.Value.GetProperty("delayMs").GetInt64());
        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
    }

    [Fact]
    public async Task A_compensation_retries_with_its_own_policy()
    {
        await using var system = await EmbeddedSystem.StartAsync();
        const string definition = """
        { "id": "undo-retry", "steps": [
            { "id": "one", "type": "tool", "tool": "echo", "compensate": { "tool": "flaky", "input": { "failTimes": 2 }, "retry": { "maxAttempts": 3, "initialInterval": "PT0.05S" } } },
            { "id": "boom", "type": "tool", "tool": "fail", "retry": { "maxAttempts": 1 } } ] }
        """;

        var events = await system.RunAsync(definition);

        Assert.Equal("one", Assert.Single(events, e => e.Type == LifecycleEventTypes.StepCompensated).Path);
        Assert.Equal("Compensated", events[^1].Data!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_duplicate_command_does_not_run_the_tool_again_and_gets_the_same_reply()
    {
        var calls = 0;
        var replies = new System.Collections.Concurrent.ConcurrentQueue<StepCompleted>();
        await using var system = await EmbeddedSystem.StartAsync(w => w.AddTool("counted", (input, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(input);
        }));
        var command = new ExecuteTool
        {
            RunId = Guid.NewGuid(),
            ExecutionId = Guid.NewGuid(),
            StepId = "c",
            Path = "c",
            Tool = "counted",
            Input = JsonSerializer.SerializeToElement(new { n = 1 }),
        };
        var replyQueue = new Uri("queue:test-replies-" + Guid.NewGuid().ToString("N")[..8]);
        var gotBoth = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handle = system.Bus.ConnectReceiveEndpoint(replyQueue.AbsolutePath.TrimStart('/'), e => e.Handler<StepCompleted>(c =>
        {
            replies.Enqueue(c.Message);
            if (replies.Count == 2)
            {
                gotBoth.TrySetResult();
            }

            return Task.CompletedTask;
        }));
        await handle.Ready;

        var endpoint = await system.Bus.GetSendEndpoint(new Uri("queue:" + QueueNames.Tool("counted")));
        await endpoint.Send(command, c => c.ResponseAddress = new Uri($"queue:{replyQueue.AbsolutePath.TrimStart('/')}"));
        await endpoint.Send(command, c => c.ResponseAddress = new Uri($"queue:{replyQueue.AbsolutePath.TrimStart('/')}"));
        await gotBoth.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, calls);
        Assert.All(replies, r => Assert.Equal("""{"n":1}""", JsonSerializer.Serialize(r.Output)));
        await handle.StopAsync();
    }

    private sealed class ScriptedChatClient(params string[] replies) : IChatClient
    {
        private int _next;

        public List<string[]> Prompts { get; } = [];
        public List<ChatResponseFormat?> Formats { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            lock (Prompts)
            {
                Prompts.Add(messages.Select(m => m.Text).ToArray());
                Formats.Add(options?.ResponseFormat);
                var reply = replies[Math.Min(_next++, replies.Length - 1)];
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)));
            }
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    public async Task A_foreach_larger_than_a_part_keeps_every_result_in_order_whether_or_not_the_run_is_read_back_each_time(int cachedRuns)
    {
        await using var system = await EmbeddedSystem.StartAsync(orchestrator: o => o.CachedRuns = cachedRuns);
        const string definition = """
        { "id": "big", "steps": [
            { "id": "fan", "type": "foreach", "items": "${ input.items }", "concurrency": 8, "steps": [
                { "id": "double", "type": "tool", "tool": "echo", "input": { "n": "${ item }", "i": "${ index }" } } ] } ],
          "output": "${ steps.fan }" }
        """;
        var items = Enumerable.Range(0, 150).ToArray(); // three parts: 64, 64 and 22

        var events = await system.RunAsync(definition, new { items }, TimeSpan.FromSeconds(60));

        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        var output = events[^1].Data!.Value.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(items, output.Select(o => o.GetProperty("n").GetInt32()));
        Assert.Equal(items, output.Select(o => o.GetProperty("i").GetInt32()));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));

        // A finished foreach leaves nothing behind (the run keeps its input).
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(system.ConnectionString);
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM \"WorkflowRunParts\" WHERE \"Key\" <> 'input'";
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }
}
