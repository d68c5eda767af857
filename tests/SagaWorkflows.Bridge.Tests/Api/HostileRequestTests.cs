using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Bridge.Tests.Api;

/// <summary>Requests a web page, a confused client or an attacker might send: each gets a 4xx problem naming what is wrong.</summary>
public sealed class HostileRequestTests : IAsyncLifetime
{
    private BridgeServer _bridge = null!;

    public async Task InitializeAsync() => _bridge = await BridgeServer.StartAsync(new Dictionary<string, string?>
    {
        ["SagaWorkflows:Bridge:MaxRequestBodyBytes"] = "65536",
        ["SagaWorkflows:Bridge:MaxStreamsPerClient"] = "2",
    });

    public async Task DisposeAsync() => await _bridge.DisposeAsync();

    private const string Start = """{ "workflowId": "w", "input": { "n": 1 } }""";

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task Anything_but_JSON_is_refused_with_415_so_a_web_page_cannot_start_or_cancel_runs(string? contentType)
    {
        var starts = await _bridge.CaptureAsync<StartWorkflow>();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Start));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await _bridge.Client.PostAsync("/runs", content);
        using var cancel = await _bridge.Client.PostAsync($"/runs/{Guid.NewGuid()}/cancel", new ByteArrayContent([]));

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Unsupported media type", "application/json");
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode); // an unknown run: checked before the body
        Assert.Empty(starts.Messages);
    }

    [Fact]
    public async Task A_known_run_id_with_another_definition_answers_409_and_the_same_start_again_202()
    {
        var starts = await _bridge.CaptureAsync<StartWorkflow>();
        var runId = Guid.NewGuid();
        string Body(string step) => $$"""{ "runId": "{{runId}}", "definition": { "id": "d", "steps": [ { "id": "{{step}}", "type": "tool", "tool": "echo" } ] } }""";

        using var first = await PostAsync("/runs", Body("a"));
        using var again = await PostAsync("/runs", Body("a"));
        using var other = await PostAsync("/runs", Body("b"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        await RunCommandTests.AssertProblemAsync(other, HttpStatusCode.Conflict, "Run id already used", runId.ToString());
        await starts.WaitForAsync(s => s.RunId == runId);
        Assert.DoesNotContain(starts.Messages, s => s.Definition?.Contains("\"b\"", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_run_id_the_bridge_knows_from_events_cannot_be_started_again()
    {
        var run = new TestRun();
        await _bridge.PublishAsync(run.Event(1, LifecycleEventTypes.WorkflowStart));
        await _bridge.WaitForConsumedAsync(1);

        using var response = await PostAsync("/runs", $$"""{ "runId": "{{run.RunId}}", "workflowId": "w" }""");

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.Conflict, "Run id already used", "not started through this bridge");
    }

    [Fact]
    public async Task The_all_zero_run_id_is_refused_in_bodies_and_routes()
    {
        using var start = await PostAsync("/runs", """{ "runId": "00000000-0000-0000-0000-000000000000", "workflowId": "w" }""");
        using var cancel = await PostAsync("/runs/00000000-0000-0000-0000-000000000000/cancel", "");
        using var stream = await _bridge.Client.GetAsync("/runs/00000000-0000-0000-0000-000000000000/events");

        await RunCommandTests.AssertProblemAsync(start, HttpStatusCode.BadRequest, "Invalid start request", "$.runId: the all-zero GUID");
        await RunCommandTests.AssertProblemAsync(cancel, HttpStatusCode.BadRequest, "Invalid run id", "all-zero");
        Assert.Equal(HttpStatusCode.BadRequest, stream.StatusCode);
    }

    [Fact]
    public async Task Invalid_UTF8_is_a_400_not_a_500()
    {
        var prefix = Encoding.UTF8.GetBytes("{ \"definition\": \"{\\\"id\\\": \\\"");
        var suffix = Encoding.UTF8.GetBytes("\\\"}\" }");
        var content = new ByteArrayContent([.. prefix, 0xC3, 0x28, 0xFF, .. suffix]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _bridge.Client.PostAsync("/runs", content);

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "Malformed JSON", $"not valid UTF-8 (first invalid byte at offset {prefix.Length})");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_and_duplicate_properties_400()
    {
        using var large = await PostAsync("/runs", $$"""{ "workflowId": "w", "input": "{{new string('x', 70_000)}}" }""");
        using var duplicate = await PostAsync("/runs", """{ "workflowId": "w", "workflowId": "v" }""");
        using var duplicateInDefinition = await PostAsync("/runs", """{ "definition": "{ \"id\": \"a\", \"id\": \"b\", \"steps\": [] }" }""");

        await RunCommandTests.AssertProblemAsync(large, HttpStatusCode.RequestEntityTooLarge, "Request body too large", "65536 bytes");
        await RunCommandTests.AssertProblemAsync(duplicate, HttpStatusCode.BadRequest, "Malformed JSON", "workflowId");
        await RunCommandTests.AssertProblemAsync(duplicateInDefinition, HttpStatusCode.BadRequest, "Invalid start request", "$.definition");
    }

    [Fact]
    public async Task One_client_cannot_hold_more_than_its_share_of_streams()
    {
        await using var first = await SseConnection.OpenAsync(_bridge.Client, "/events");
        await using var second = await SseConnection.OpenAsync(_bridge.Client, "/events");
        using var third = await _bridge.Client.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await RunCommandTests.AssertProblemAsync(third, HttpStatusCode.TooManyRequests, "Too many open streams", "MaxStreamsPerClient");

        // A closed stream gives its place back.
        await first.DisposeAsync();
        await Eventually.TrueAsync(async () =>
        {
            using var again = await _bridge.Client.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead);
            return again.StatusCode == HttpStatusCode.OK;
        }, "a stream slot to free up");
    }

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        _bridge.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
}
