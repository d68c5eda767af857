using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SagaWorkflows.Bridge.Streaming;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Bridge.Tests.Api;

/// <summary>
/// <c>POST /runs/{runId}/redrive</c>: refused at once when the run's events rule it out, otherwise published with the
/// failure the bridge saw and answered by what the orchestrator does (the run going on, or its refusal and why).
/// Here the test plays the orchestrator.
/// </summary>
public sealed class RedriveTests : BridgeServerTests
{
    private static readonly string[] ChargeStep = ["charge"];
    private static readonly string[] StepA = ["a"];

    [Fact]
    public async Task A_failed_run_is_redriven_after_the_failure_the_bridge_saw_and_its_stream_goes_on_past_it()
    {
        var run = await FailedRunAsync();
        var redrives = await _bridge.CaptureAsync<RedriveWorkflow>();

        var posting = PostAsync($"/runs/{run.RunId}/redrive", "");
        var command = await redrives.WaitForAsync(r => r.RunId == run.RunId);
        Assert.Equal(4, command.AfterSequence);
        await _bridge.PublishAsync(run.Event(5, LifecycleEventTypes.WorkflowRedriven, data: new { redrive = 1, afterSequence = 4, steps = ChargeStep }));
        using var response = await posting;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("redriven", body.GetProperty("outcome").GetString());
        Assert.Equal(4, body.GetProperty("afterSequence").GetInt64());
        var snapshot = await _bridge.Client.GetFromJsonAsync<JsonElement>($"/runs/{run.RunId}");
        Assert.Equal("Running", snapshot.GetProperty("status").GetString());
        Assert.False(snapshot.TryGetProperty("outcome", out var outcome) && outcome.ValueKind != JsonValueKind.Null, $"outcome {outcome}");
        Assert.Equal("Running", snapshot.GetProperty("steps")[0].GetProperty("status").GetString());

        await _bridge.PublishAsync([
            run.Event(6, LifecycleEventTypes.StepStart, "charge", 1),
            run.Event(7, LifecycleEventTypes.StepComplete, "charge", 1, new { output = "ok" }),
            run.Event(8, LifecycleEventTypes.WorkflowComplete, data: new { output = "ok" }),
        ]);
        await _bridge.WaitForConsumedAsync(8);

        // A client reading the run from the start sees the failure, the redrive and the rest, and the stream ends at the real end.
        await using var sse = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events");
        var frames = await sse.ReadToEndAsync();
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", null], frames.Select(f => f.Id));
        Assert.Equal("end", frames[^1].Event);
        Assert.Contains("workflow-complete", frames[^1].Data, StringComparison.Ordinal);

        // One that had stopped at the failure and comes back goes on from there.
        await using var resumed = await SseConnection.OpenAsync(_bridge.Client, $"/runs/{run.RunId}/events", lastEventId: "4");
        Assert.Equal(["5", "6", "7", "8", null], (await resumed.ReadToEndAsync()).Select(f => f.Id));
    }

    [Fact]
    public async Task The_answer_comes_as_soon_as_the_hub_relays_the_runs_redriven_event()
    {
        // A wait of 100 days (longer than a timer runs), and the event only relayed (never stored): nothing but the relay
        // can answer within the bound below.
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?> { ["SagaWorkflows:Bridge:RedriveReplyWait"] = "100.00:00:00" });
        var run = await FailedRunAsync(bridge);
        var redrives = await bridge.CaptureAsync<RedriveWorkflow>();

        var posting = bridge.Client.PostAsync($"/runs/{run.RunId}/redrive", new StringContent("", Encoding.UTF8, "application/json"));
        await redrives.WaitForAsync(r => r.RunId == run.RunId);
        bridge.Hub.Publish([
            new RelayedEvent(0, Guid.NewGuid(), 5, LifecycleEventTypes.WorkflowRedriven, "{}"),
            new RelayedEvent(0, run.RunId, 4, LifecycleEventTypes.WorkflowRedriven, "{}"),
            new RelayedEvent(0, run.RunId, 5, LifecycleEventTypes.StepStart, "{}"),
        ]);
        Assert.False(posting.IsCompleted, "another run's event, an event not after the failure or not a redrive answered the redrive");
        bridge.Hub.Publish([new RelayedEvent(0, run.RunId, 5, LifecycleEventTypes.WorkflowRedriven, "{}")]);
        using var response = await posting.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("redriven", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Without_an_answer_in_time_the_redrive_is_accepted_as_pending()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?> { ["SagaWorkflows:Bridge:RedriveReplyWait"] = "00:00:00" });
        var run = await FailedRunAsync(bridge);

        using var response = await bridge.Client.PostAsync($"/runs/{run.RunId}/redrive", new StringContent("", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("pending", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task The_orchestrators_refusal_answers_409_with_its_reason()
    {
        var run = await FailedRunAsync();
        var redrives = await _bridge.CaptureAsync<RedriveWorkflow>();

        var posting = PostAsync($"/runs/{run.RunId}/redrive", "{}");
        await redrives.WaitForAsync(r => r.RunId == run.RunId);
        await _bridge.Bus.Publish(new RedriveRejected
        {
            RunId = run.RunId,
            AfterSequence = 4,
            Status = RunStatus.Failed,
            Reason = $"run {run.RunId} failed before it could run a step (InvalidInput: bad input): there is nothing to continue, start a new run",
        });
        using var response = await posting;

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.Conflict, "Run cannot be redriven", "failed before it could run a step");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Failed", problem.GetProperty("runStatus").GetString());
    }

    [Theory]
    [InlineData("completed", "completed: there is nothing to redrive")]
    [InlineData("running", "is still running (Running)")]
    [InlineData("compensated", "compensation ran (Compensated)")]
    [InlineData("cancelled", "was cancelled")]
    public async Task What_the_runs_events_rule_out_is_refused_with_409_naming_why(string scenario, string reason)
    {
        var run = new TestRun();
        List<WorkflowLifecycleEvent> events = scenario switch
        {
            "completed" => run.Simple(1),
            "running" => [run.Event(1, LifecycleEventTypes.WorkflowStart), run.Event(2, LifecycleEventTypes.StepStart, "a", 1)],
            "compensated" =>
            [
                run.Event(1, LifecycleEventTypes.WorkflowStart),
                run.Event(2, LifecycleEventTypes.CompensationStart, data: new { steps = StepA }),
                run.Event(3, LifecycleEventTypes.CompensationComplete),
                run.Event(4, LifecycleEventTypes.WorkflowError, data: new { error = new { type = "Boom" }, status = "Compensated" }),
            ],
            _ => [run.Event(1, LifecycleEventTypes.WorkflowStart), run.Event(2, LifecycleEventTypes.WorkflowCancelled, data: new { reason = "stop" })],
        };
        await _bridge.PublishAsync(events);
        await _bridge.WaitForConsumedAsync(events.Count);

        using var response = await PostAsync($"/runs/{run.RunId}/redrive", "");

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.Conflict, "Run cannot be redriven", reason);
    }

    [Fact]
    public async Task An_unknown_run_answers_404_and_a_form_post_415()
    {
        var run = await FailedRunAsync();
        using var unknown = await PostAsync($"/runs/{Guid.NewGuid()}/redrive", "");
        using var form = await _bridge.Client.PostAsync($"/runs/{run.RunId}/redrive", new StringContent("", Encoding.UTF8, "text/plain"));

        await RunCommandTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "Run not found", "");
        await RunCommandTests.AssertProblemAsync(form, HttpStatusCode.UnsupportedMediaType, "Unsupported media type", "text/plain");
    }

    [Fact]
    public async Task With_api_keys_a_redrive_needs_one()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?> { ["SagaWorkflows:Bridge:ApiKeys:0"] = "k-redrive" });
        var redrives = await bridge.CaptureAsync<RedriveWorkflow>();

        using var anonymous = await bridge.Client.PostAsync($"/runs/{Guid.NewGuid()}/redrive", new StringContent("", Encoding.UTF8, "application/json"));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/runs/{Guid.NewGuid()}/redrive")
        {
            Content = new StringContent("", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k-redrive");
        using var authorized = await bridge.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, authorized.StatusCode);
        Assert.Empty(redrives.Messages);
    }

    /// <summary>Start, a step that starts and fails, then workflow-error (sequence 4) without compensation.</summary>
    private Task<TestRun> FailedRunAsync() => FailedRunAsync(_bridge);

    private static async Task<TestRun> FailedRunAsync(BridgeServer bridge)
    {
        var run = new TestRun();
        await bridge.PublishAsync([
            run.Event(1, LifecycleEventTypes.WorkflowStart),
            run.Event(2, LifecycleEventTypes.StepStart, "charge", 1),
            run.Event(3, LifecycleEventTypes.StepError, "charge", 1, new { error = new { type = "Boom", message = "it broke" } }),
            run.Event(4, LifecycleEventTypes.WorkflowError, data: new { error = new { type = "Boom", message = "it broke" }, status = "Failed", redrivable = true }),
        ]);
        await Eventually.TrueAsync(async () => await bridge.Store.FindRunAsync(run.RunId, CancellationToken.None) is { TerminalSequence: 4 },
            "the bridge to see the run fail");
        return run;
    }
}
