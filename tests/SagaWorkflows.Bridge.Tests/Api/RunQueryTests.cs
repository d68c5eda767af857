using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SagaWorkflows.Bridge.Tests.Infrastructure;

namespace SagaWorkflows.Bridge.Tests.Api;

/// <summary><c>GET /runs/{runId}</c> and <c>GET /runs</c>, built from the stored events.</summary>
public sealed class RunQueryTests : IAsyncLifetime
{
    private BridgeServer _bridge = null!;

    public async Task InitializeAsync() => _bridge = await BridgeServer.StartAsync();

    public async Task DisposeAsync() => await _bridge.DisposeAsync();

    [Fact]
    public async Task The_snapshot_nests_steps_by_path_with_status_attempts_timing_errors_and_compensation()
    {
        var run = new TestRun();
        var events = Scenarios.FailingOrder(run);
        await _bridge.PublishAsync(events);
        await _bridge.WaitForConsumedAsync(events.Count);

        var snapshot = await _bridge.Client.GetFromJsonAsync<JsonElement>($"/runs/{run.RunId}");

        Assert.Equal("Failed", snapshot.GetProperty("status").GetString());
        Assert.Equal("Compensated", snapshot.GetProperty("compensation").GetString());
        Assert.Equal(events.Count, snapshot.GetProperty("lastSequence").GetInt64());
        Assert.Equal("card declined", snapshot.GetProperty("error").GetProperty("message").GetString());
        var steps = snapshot.GetProperty("steps");
        Assert.Equal(["reserve", "ship", "poll", "perItem"], steps.EnumerateArray().Select(s => s.GetProperty("path").GetString()));

        var reserve = steps[0];
        Assert.Equal("Completed", reserve.GetProperty("status").GetString());
        Assert.Equal("tool", reserve.GetProperty("type").GetString());
        Assert.Equal(2, reserve.GetProperty("attempts").GetInt32());
        Assert.Equal("Compensated", reserve.GetProperty("compensation").GetString());
        Assert.Equal(1, reserve.GetProperty("retries").GetArrayLength());
        Assert.Equal(300, reserve.GetProperty("durationMs").GetDouble()); // sequence 2 to 5, 100 ms apart
        Assert.Equal("PT0.3S", reserve.GetProperty("duration").GetString());
        Assert.True(reserve.TryGetProperty("startedAt", out _) && reserve.TryGetProperty("completedAt", out _));

        var ship = steps[1];
        Assert.Equal("parallel", ship.GetProperty("type").GetString());
        Assert.Equal(["ship.makeLabel", "ship.email"], ship.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("path").GetString()));

        var iterations = steps[2].GetProperty("children");
        Assert.Equal(["poll#1", "poll#2"], iterations.EnumerateArray().Select(c => c.GetProperty("path").GetString()));
        Assert.All(iterations.EnumerateArray(), i => Assert.Equal("iteration", i.GetProperty("kind").GetString()));
        Assert.Equal("poll#2.check", iterations[1].GetProperty("children")[0].GetProperty("path").GetString());

        var items = steps[3].GetProperty("children");
        Assert.Equal(["perItem[0]", "perItem[1]"], items.EnumerateArray().Select(c => c.GetProperty("path").GetString()));
        var declined = items[1].GetProperty("children")[0];
        Assert.Equal("perItem[1].charge", declined.GetProperty("path").GetString());
        Assert.Equal("Failed", declined.GetProperty("status").GetString());
        Assert.Equal("CardDeclined", declined.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("R-7", reserve.GetProperty("output").GetProperty("id").GetString());
        Assert.Equal("Failed", items[1].GetProperty("status").GetString());
        Assert.Equal("Compensated", items[0].GetProperty("children")[0].GetProperty("compensation").GetString());
    }

    [Fact]
    public async Task An_unknown_run_answers_404_with_a_problem_body()
    {
        var runId = Guid.NewGuid();

        using var response = await _bridge.Client.GetAsync($"/runs/{runId}");

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "Run not found", runId.ToString());
    }

    [Fact]
    public async Task Recent_runs_are_listed_newest_first_with_their_status()
    {
        var done = new TestRun("first");
        await _bridge.PublishAsync(done.Simple(1));
        await _bridge.WaitForConsumedAsync(4);
        var running = new TestRun("second");
        await _bridge.PublishAsync(running.Event(1, Contracts.LifecycleEventTypes.WorkflowStart));
        await _bridge.WaitForConsumedAsync(5);

        var runs = await _bridge.Client.GetFromJsonAsync<JsonElement>("/runs");
        var newest = await _bridge.Client.GetFromJsonAsync<JsonElement>("/runs?limit=1");

        Assert.Equal([running.RunId, done.RunId], runs.EnumerateArray().Select(r => r.GetProperty("runId").GetGuid()));
        Assert.Equal(running.RunId, Assert.Single(newest.EnumerateArray()).GetProperty("runId").GetGuid());
        Assert.Equal("Running", runs[0].GetProperty("status").GetString());
        Assert.Equal("Completed", runs[1].GetProperty("status").GetString());
        Assert.Equal("first", runs[1].GetProperty("workflowId").GetString());
        Assert.Equal(4, runs[1].GetProperty("lastSequence").GetInt64());
    }

    [Fact]
    public async Task Runs_are_filtered_by_status_workflow_and_part_of_the_run_id_and_paged_with_offset()
    {
        var done = new TestRun("filter-a");
        await _bridge.PublishAsync(done.Simple(1));
        await _bridge.WaitForConsumedAsync(4);
        var runningA = new TestRun("filter-a");
        var runningB = new TestRun("filter-b");
        await _bridge.PublishAsync(runningA.Event(1, Contracts.LifecycleEventTypes.WorkflowStart));
        await _bridge.WaitForConsumedAsync(5);
        await _bridge.PublishAsync(runningB.Event(1, Contracts.LifecycleEventTypes.WorkflowStart));
        await Eventually.TrueAsync(async () => (await IdsAsync("/runs?workflowId=filter-b")).Count == 1
            && (await IdsAsync("/runs?workflowId=filter-a&status=Completed")).Count == 1, "the three runs listed");

        Assert.Equal([runningA.RunId, done.RunId], await IdsAsync("/runs?workflowId=filter-a"));
        Assert.Equal([runningA.RunId], await IdsAsync("/runs?workflowId=filter-a&status=Running"));
        Assert.Equal([done.RunId], await IdsAsync("/runs?status=completed&workflowId=filter-a"));
        Assert.Equal([runningB.RunId], await IdsAsync($"/runs?runId={runningB.RunId.ToString()[..8].ToUpperInvariant()}"));
        Assert.Equal([runningB.RunId], await IdsAsync($"/runs?runId={runningB.RunId}"));
        Assert.Equal([done.RunId], await IdsAsync("/runs?workflowId=filter-a&limit=1&offset=1"));
        Assert.Empty(await IdsAsync("/runs?workflowId=filter-a&limit=1&offset=2"));
        Assert.Empty(await IdsAsync("/runs?workflowId=nobody"));
    }

    [Fact]
    public async Task A_bad_offset_or_status_answers_400()
    {
        using var offset = await _bridge.Client.GetAsync("/runs?offset=-1");
        using var status = await _bridge.Client.GetAsync("/runs?status=Sleeping");
        using var number = await _bridge.Client.GetAsync("/runs?status=3");

        await RunCommandTests.AssertProblemAsync(offset, HttpStatusCode.BadRequest, "Invalid offset", "-1");
        await RunCommandTests.AssertProblemAsync(status, HttpStatusCode.BadRequest, "Invalid status", "Running, Suspended");
        await RunCommandTests.AssertProblemAsync(number, HttpStatusCode.BadRequest, "Invalid status", "not '3'");
    }

    [Fact]
    public async Task A_runs_definition_is_served_from_its_workflow_start_event()
    {
        var run = new TestRun("drawn");
        var definition = new { id = "drawn", version = 3, steps = new[] { new { id = "a", type = "tool", tool = "echo" } } };
        await _bridge.PublishAsync(run.Event(1, Contracts.LifecycleEventTypes.WorkflowStart, data: new { input = 1, version = 3, definition }));
        var older = new TestRun("older");
        await _bridge.PublishAsync(older.Event(1, Contracts.LifecycleEventTypes.WorkflowStart, data: new { input = 1 }));
        await _bridge.WaitForConsumedAsync(2);
        await Eventually.TrueAsync(async () => await _bridge.Store.FindRunAsync(older.RunId, CancellationToken.None) is not null,
            "the bridge to know the runs");

        var served = await _bridge.Client.GetFromJsonAsync<JsonElement>($"/runs/{run.RunId}/definition");
        using var missing = await _bridge.Client.GetAsync($"/runs/{older.RunId}/definition");
        var unknown = Guid.NewGuid();
        using var notFound = await _bridge.Client.GetAsync($"/runs/{unknown}/definition");

        Assert.Equal("drawn", served.GetProperty("id").GetString());
        Assert.Equal("echo", served.GetProperty("steps")[0].GetProperty("tool").GetString());
        await RunCommandTests.AssertProblemAsync(missing, HttpStatusCode.NotFound, "Definition not available", older.RunId.ToString());
        await RunCommandTests.AssertProblemAsync(notFound, HttpStatusCode.NotFound, "Run not found", unknown.ToString());
    }

    private async Task<List<Guid>> IdsAsync(string path) =>
        (await _bridge.Client.GetFromJsonAsync<JsonElement>(path)).EnumerateArray().Select(r => r.GetProperty("runId").GetGuid()).ToList();

    [Theory]
    [InlineData("0")]
    [InlineData("many")]
    public async Task A_bad_limit_answers_400(string limit)
    {
        using var response = await _bridge.Client.GetAsync($"/runs?limit={limit}");

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid limit", limit);
    }

    [Fact]
    public async Task A_browser_asking_for_html_gets_the_live_page_at_the_same_urls()
    {
        var run = new TestRun();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/runs/{run.RunId}");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");

        using var page = await _bridge.Client.SendAsync(request);
        using var index = await _bridge.Client.GetAsync("/");
        using var script = await _bridge.Client.GetAsync("/assets/run.js");

        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("/assets/run.js", html, StringComparison.Ordinal);
        Assert.Contains("/assets/graph.js", html, StringComparison.Ordinal);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(script.Headers.ETag);
    }
}
