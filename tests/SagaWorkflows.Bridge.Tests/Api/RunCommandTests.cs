using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Tests.Api;

/// <summary>POST endpoints publish the orchestrator's commands; bad input gets a problem body.</summary>
public sealed class RunCommandTests : BridgeServerTests
{
    [Fact]
    public async Task Posting_a_workflow_id_publishes_StartWorkflow_and_answers_202_with_the_run_id()
    {
        var starts = await _bridge.CaptureAsync<StartWorkflow>();

        using var response = await PostAsync("/runs", """{ "workflowId": "order-fulfillment", "version": 2, "input": { "orderId": "A-1" } }""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("runId").GetGuid();
        Assert.Equal($"/runs/{runId}", response.Headers.Location?.ToString());
        var start = await starts.WaitForAsync(s => s.RunId == runId);
        Assert.Equal("order-fulfillment", start.WorkflowId);
        Assert.Equal(2, start.Version);
        Assert.Null(start.Definition);
        Assert.Equal("A-1", start.Input!.Value.GetProperty("orderId").GetString());

        // The run is known at once, so a client can watch it before the orchestrator's first event.
        var snapshot = await _bridge.Client.GetFromJsonAsync<JsonElement>($"/runs/{runId}");
        Assert.Equal("Pending", snapshot.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{ "definition": { "id": "inline", "version": 1, "steps": [] }, "input": 5 }""")]
    [InlineData("""{ "definition": "{ \"id\": \"inline\", \"version\": 1, \"steps\": [] }", "input": 5 }""")]
    public async Task An_inline_definition_object_or_string_is_forwarded_as_JSON_text(string body)
    {
        var starts = await _bridge.CaptureAsync<StartWorkflow>();

        using var response = await PostAsync("/runs", body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("runId").GetGuid();
        var start = await starts.WaitForAsync(s => s.RunId == runId);
        var definition = JsonDocument.Parse(start.Definition!).RootElement;
        Assert.Equal("inline", definition.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Array, definition.GetProperty("steps").ValueKind);
        Assert.Null(start.WorkflowId);
        Assert.Equal(5, start.Input!.Value.GetInt32());
    }

    [Fact]
    public async Task A_client_chosen_run_id_is_kept_so_a_retried_post_starts_one_run()
    {
        var starts = await _bridge.CaptureAsync<StartWorkflow>();
        var runId = Guid.NewGuid();

        using var response = await PostAsync("/runs", $$"""{ "runId": "{{runId}}", "workflowId": "w" }""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(runId, (await starts.WaitForAsync(s => s.RunId == runId)).RunId);
    }

    [Theory]
    [InlineData("{ \"workflowId\": ", "Malformed JSON", "not valid JSON")]
    [InlineData("", "Malformed JSON", "empty")]
    [InlineData("[1, 2]", "Invalid start request", "must be a JSON object")]
    [InlineData("{ \"input\": {} }", "Invalid start request", "workflowId")]
    [InlineData("{ \"workflowId\": 42 }", "Invalid start request", "$.workflowId")]
    [InlineData("{ \"definition\": \"{ not json\" }", "Invalid start request", "$.definition")]
    [InlineData("{ \"definition\": [1] }", "Invalid start request", "$.definition")]
    [InlineData("{ \"workflowId\": \"w\", \"runId\": \"nope\" }", "Invalid start request", "$.runId")]
    public async Task Bad_start_requests_answer_400_naming_the_problem(string body, string title, string detailMentions)
    {
        using var response = await PostAsync("/runs", body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, title, detailMentions);
    }

    [Fact]
    public async Task Signalling_a_known_run_publishes_SignalWorkflow_with_the_body_as_payload()
    {
        var run = await KnownRunAsync();
        var signals = await _bridge.CaptureAsync<SignalWorkflow>();

        using var response = await PostAsync($"/runs/{run.RunId}/signals/approval", """{ "approved": true, "by": "ann" }""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var signal = await signals.WaitForAsync(s => s.RunId == run.RunId);
        Assert.Equal("approval", signal.Signal);
        Assert.True(signal.Payload!.Value.GetProperty("approved").GetBoolean());
    }

    [Fact]
    public async Task A_signal_without_a_body_has_no_payload()
    {
        var run = await KnownRunAsync();
        var signals = await _bridge.CaptureAsync<SignalWorkflow>();

        using var response = await PostAsync($"/runs/{run.RunId}/signals/go", "");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Null((await signals.WaitForAsync(s => s.RunId == run.RunId)).Payload);
    }

    [Fact]
    public async Task Cancelling_a_known_run_publishes_CancelWorkflow_with_the_reason()
    {
        var run = await KnownRunAsync();
        var cancels = await _bridge.CaptureAsync<CancelWorkflow>();

        using var response = await PostAsync($"/runs/{run.RunId}/cancel", """{ "reason": "customer asked" }""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("customer asked", (await cancels.WaitForAsync(c => c.RunId == run.RunId)).Reason);
    }

    [Fact]
    public async Task Suspending_and_resuming_a_known_run_publish_SuspendWorkflow_and_ResumeWorkflow()
    {
        var run = await KnownRunAsync();
        var suspends = await _bridge.CaptureAsync<SuspendWorkflow>();
        var resumes = await _bridge.CaptureAsync<ResumeWorkflow>();

        using var suspend = await PostAsync($"/runs/{run.RunId}/suspend", "");
        using var resume = await PostAsync($"/runs/{run.RunId}/resume", "{}");

        Assert.Equal(HttpStatusCode.Accepted, suspend.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        await suspends.WaitForAsync(s => s.RunId == run.RunId);
        await resumes.WaitForAsync(r => r.RunId == run.RunId);
    }

    [Fact]
    public async Task Suspending_a_finished_run_answers_409_and_a_non_json_post_415()
    {
        var run = new TestRun();
        await _bridge.PublishAsync(run.Simple(1));
        await _bridge.WaitForConsumedAsync(4);
        var running = await KnownRunAsync();

        using var ended = await PostAsync($"/runs/{run.RunId}/suspend", "");
        using var form = await _bridge.Client.PostAsync($"/runs/{running.RunId}/resume", new StringContent("", Encoding.UTF8, "text/plain"));

        await AssertProblemAsync(ended, HttpStatusCode.Conflict, "Run already ended", "Completed");
        await AssertProblemAsync(form, HttpStatusCode.UnsupportedMediaType, "Unsupported media type", "text/plain");
    }

    [Fact]
    public async Task Signalling_or_cancelling_an_unknown_run_answers_404()
    {
        var runId = Guid.NewGuid();

        using var signal = await PostAsync($"/runs/{runId}/signals/approval", "{}");
        using var cancel = await PostAsync($"/runs/{runId}/cancel", "");

        await AssertProblemAsync(signal, HttpStatusCode.NotFound, "Run not found", runId.ToString());
        await AssertProblemAsync(cancel, HttpStatusCode.NotFound, "Run not found", runId.ToString());
    }

    [Fact]
    public async Task A_malformed_signal_payload_answers_400()
    {
        var run = await KnownRunAsync();

        using var response = await PostAsync($"/runs/{run.RunId}/signals/approval", "{ \"approved\": tru }");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Malformed JSON", "not valid JSON");
    }

    [Fact]
    public async Task A_finished_run_refuses_signals_with_409()
    {
        var run = new TestRun();
        await _bridge.PublishAsync(run.Simple(1));
        await _bridge.WaitForConsumedAsync(4);

        using var response = await PostAsync($"/runs/{run.RunId}/signals/approval", "{}");

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "Run already ended", "Completed");
    }

    [Fact]
    public async Task A_run_id_that_is_not_a_guid_answers_400()
    {
        using var response = await PostAsync("/runs/not-a-guid/cancel", "");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid run id", "not-a-guid");
    }

    private async Task<TestRun> KnownRunAsync()
    {
        var run = new TestRun();
        await _bridge.PublishAsync(run.Event(1, LifecycleEventTypes.WorkflowStart));
        await Eventually.TrueAsync(async () => await _bridge.Store.FindRunAsync(run.RunId, CancellationToken.None) is not null,
            "the bridge to know the run");
        return run;
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title, string detailMentions)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Contains(detailMentions, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
