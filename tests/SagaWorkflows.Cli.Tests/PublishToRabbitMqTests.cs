using System.Text.Json;
using System.Text.RegularExpressions;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Cli.Tests;

/// <summary>The commands reach a real RabbitMQ as the MassTransit messages the orchestrator consumes.</summary>
public sealed partial class PublishToRabbitMqTests : IClassFixture<RabbitMqVirtualHost>
{
    private readonly RabbitMqVirtualHost _broker;

    public PublishToRabbitMqTests(RabbitMqVirtualHost broker) => _broker = broker;

    [GeneratedRegex(@"run (?<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) started")]
    private static partial Regex StartedRun();

    [Fact]
    public async Task Start_publishes_StartWorkflow_with_the_file_inline_and_the_input_and_prints_the_run_id()
    {
        var queue = await _broker.BindQueueAsync<StartWorkflow>();

        var result = await CliProcess.RunAsync("start", "samples/hello.json", "--input", "@samples/inputs/hello.json", "--rabbitmq", _broker.AmqpUri);

        Assert.True(result.ExitCode == 0, result.ToString());
        var runId = StartedRun().Match(result.StdOut).Groups["id"].Value;
        Assert.NotEmpty(runId);
        Assert.Contains($"sagawf watch {runId}", result.StdOut, StringComparison.Ordinal);
        var envelope = await _broker.TakeEnvelopeAsync(queue);
        Assert.Contains("urn:message:SagaWorkflows.Contracts:StartWorkflow", envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()));
        var message = envelope.GetProperty("message");
        Assert.Equal(runId, message.GetProperty("runId").GetString());
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(CliProcess.RepositoryRoot, "samples", "hello.json")), message.GetProperty("definition").GetString());
        Assert.Equal("Ada", message.GetProperty("input").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Start_with_a_workflow_id_names_it_with_the_chosen_run_id_and_version()
    {
        var queue = await _broker.BindQueueAsync<StartWorkflow>();
        var runId = Guid.NewGuid();

        var result = await CliProcess.RunAsync("start", "order-fulfillment", "--run-id", runId.ToString(), "--workflow-version", "2",
            "--input", "{\"orderId\":\"A-1\"}", "--rabbitmq", _broker.AmqpUri);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"run {runId} started", result.StdOut, StringComparison.Ordinal);
        var message = (await _broker.TakeEnvelopeAsync(queue)).GetProperty("message");
        Assert.Equal(runId.ToString(), message.GetProperty("runId").GetString());
        Assert.Equal("order-fulfillment", message.GetProperty("workflowId").GetString());
        Assert.Equal(2, message.GetProperty("version").GetInt32());
        Assert.False(message.TryGetProperty("definition", out var definition) && definition.ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public async Task Start_with_watch_publishes_then_follows_the_run_until_it_completes()
    {
        var queue = await _broker.BindQueueAsync<StartWorkflow>();
        var runId = Guid.NewGuid();
        await using var bridge = new FakeBridge();
        bridge.AddRun(runId, EngineScript.Play("hello", runId));
        bridge.UnknownForFirstRequests(runId, 2);

        var result = await CliProcess.RunAsync("start", "samples/hello.json", "--input", "@samples/inputs/hello.json", "--run-id", runId.ToString(),
            "--watch", "--bridge", bridge.Url, "--rabbitmq", _broker.AmqpUri);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(runId.ToString(), (await _broker.TakeEnvelopeAsync(queue)).GetProperty("message").GetProperty("runId").GetString());
        Assert.Contains($"waiting for run {runId} to reach the bridge", result.StdErr, StringComparison.Ordinal);
        WatchCommandTests.AssertInOrder(result.StdOutLines,
            $"✔ run {runId} started",
            "● workflow hello v1 started",
            "✔ shout",
            "✔ workflow hello completed");
    }

    [Fact]
    public async Task Start_with_watch_exits_5_when_the_run_fails()
    {
        await _broker.BindQueueAsync<StartWorkflow>();
        var runId = Guid.NewGuid();
        await using var bridge = new FakeBridge();
        bridge.AddRun(runId, EngineScript.Play("compensation", runId));

        var result = await CliProcess.RunAsync("start", "samples/compensation.json", "--input", "@samples/inputs/compensation.json",
            "--run-id", runId.ToString(), "--watch", "--bridge", bridge.Url, "--rabbitmq", _broker.AmqpUri);

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains("✖ workflow compensation failed (Compensated)", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_where_nothing_receives_StartWorkflow_exits_7_and_never_says_started()
    {
        var empty = new RabbitMqVirtualHost();
        await empty.InitializeAsync();
        try
        {
            var result = await CliProcess.RunAsync("start", "samples/hello.json", "--input", "@samples/inputs/hello.json", "--rabbitmq", empty.AmqpUri);

            Assert.True(result.ExitCode == 7, result.ToString());
            Assert.DoesNotContain("started", result.StdOut, StringComparison.Ordinal);
            Assert.Contains("nothing receives StartWorkflow", result.StdErr, StringComparison.Ordinal);
            Assert.Contains("no orchestrator has run against this broker and vhost", result.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            await empty.DisposeAsync();
        }
    }

    [Fact]
    public async Task Signal_publishes_SignalWorkflow_with_the_payload()
    {
        var queue = await _broker.BindQueueAsync<SignalWorkflow>();
        var runId = Guid.NewGuid();

        var result = await CliProcess.RunAsync("signal", runId.ToString(), "approval", "--payload", "{\"approved\":true,\"by\":\"ada\"}",
            "--rabbitmq", _broker.AmqpUri);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"signal 'approval' sent to run {runId}", result.StdOut, StringComparison.Ordinal);
        var message = (await _broker.TakeEnvelopeAsync(queue)).GetProperty("message");
        Assert.Equal(runId.ToString(), message.GetProperty("runId").GetString());
        Assert.Equal("approval", message.GetProperty("signal").GetString());
        Assert.True(message.GetProperty("payload").GetProperty("approved").GetBoolean());
    }

    [Fact]
    public async Task Cancel_publishes_CancelWorkflow_with_the_reason()
    {
        var queue = await _broker.BindQueueAsync<CancelWorkflow>();
        var runId = Guid.NewGuid();

        var result = await CliProcess.RunAsync("cancel", runId.ToString(), "--reason", "customer called", "--rabbitmq", _broker.AmqpUri);

        Assert.True(result.ExitCode == 0, result.ToString());
        var message = (await _broker.TakeEnvelopeAsync(queue)).GetProperty("message");
        Assert.Equal(runId.ToString(), message.GetProperty("runId").GetString());
        Assert.Equal("customer called", message.GetProperty("reason").GetString());
    }
}
