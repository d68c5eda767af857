using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SagaWorkflows.Bridge.Tests.Infrastructure;

namespace SagaWorkflows.Bridge.Tests.Api;

/// <summary>One bridge with the engine (orchestrator on the same in-memory bus) for every schedule endpoint test.</summary>
public sealed class ScheduleBridgeFixture : IAsyncLifetime
{
    public const string Greet = """
    { "id": "greet", "version": 1, "inputSchema": { "type": "object", "required": ["name"] },
      "steps": [ { "id": "say", "type": "tool", "tool": "echo" } ] }
    """;

    public BridgeServer Bridge { get; private set; } = null!;

    public async Task InitializeAsync() => Bridge = await BridgeServer.StartAsync(withEngine: true, definitions: r => r.Add(Greet));

    public async Task DisposeAsync() => await Bridge.DisposeAsync();
}

/// <summary><c>POST/GET/DELETE /schedules</c>: requests to the orchestrator, answered with what it decided.</summary>
public sealed class ScheduleEndpointTests(ScheduleBridgeFixture fixture) : IClassFixture<ScheduleBridgeFixture>
{
    private HttpClient Client => fixture.Bridge.Client;

    private Task<HttpResponseMessage> PostAsync(string body, string contentType = "application/json") =>
        Client.PostAsync("/schedules", new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType)));

    private static string Hourly(string id, string interval = "PT1H") =>
        $$"""{ "id": "{{id}}", "workflowId": "greet", "input": { "name": "Ada" }, "interval": "{{interval}}" }""";

    [Fact]
    public async Task Adding_answers_201_with_the_schedule_listing_and_getting_show_it_and_deleting_answers_204()
    {
        var asked = DateTimeOffset.UtcNow;
        using var created = await PostAsync(Hourly("hourly-greet"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/schedules/hourly-greet", created.Headers.Location?.ToString());
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("greet", body.GetProperty("workflowId").GetString());
        Assert.Equal("PT1H", body.GetProperty("interval").GetString());
        Assert.Equal("FireOnceNow", body.GetProperty("misfirePolicy").GetString());
        // An interval schedule first fires at the next whole second after it is added, then every interval; on a
        // slow machine that first fire may already be past when the answer is read.
        var next = body.GetProperty("nextFireTime").GetDateTimeOffset();
        Assert.InRange(next, asked, asked + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30));

        var listed = await Client.GetFromJsonAsync<JsonElement>("/schedules");
        Assert.Contains(listed.EnumerateArray(), s => s.GetProperty("id").GetString() == "hourly-greet");
        var one = await Client.GetFromJsonAsync<JsonElement>("/schedules/hourly-greet");
        Assert.Equal("Ada", one.GetProperty("input").GetProperty("name").GetString());

        using var deleted = await Client.DeleteAsync("/schedules/hourly-greet");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await Client.GetAsync("/schedules/hourly-greet");
        await RunCommandTests.AssertProblemAsync(gone, HttpStatusCode.NotFound, "Schedule not found", "hourly-greet");
    }

    [Fact]
    public async Task The_same_add_again_answers_200_and_the_same_id_with_another_body_409()
    {
        using var first = await PostAsync(Hourly("twice"));
        using var again = await PostAsync(Hourly("twice"));
        using var other = await PostAsync(Hourly("twice", "PT2H"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await RunCommandTests.AssertProblemAsync(other, HttpStatusCode.Conflict, "Schedule id already used", "$.id: schedule 'twice' already exists");
        var kept = await Client.GetFromJsonAsync<JsonElement>("/schedules/twice");
        Assert.Equal("PT1H", kept.GetProperty("interval").GetString());
    }

    [Theory]
    [InlineData("""{ "workflowId": "greet", "interval": "PT1M" }""", "$.id: is required.")]
    [InlineData("""{ "id": "x", "workflowId": "greet" }""", "$: give either \"cron\"")]
    [InlineData("""{ "id": "x", "workflowId": "greet", "cron": "0 * * * * ?", "interval": "PT1M" }""", "not both")]
    [InlineData("""{ "id": "x", "workflowId": "greet", "interval": 60 }""", "$.interval: must be a non-empty string, not the number 60.")]
    [InlineData("""{ "id": "x", "workflowId": "greet", "interval": "PT1M", "timezone": "UTC" }""", "$.timezone: is not a schedule field; did you mean \"timeZone\"?")]
    [InlineData("""{ "id": "x", "workflowId": "greet", "interval": "PT1M", "version": "1" }""", "$.version: must be a positive integer")]
    [InlineData("""[ 1 ]""", "$: the schedule must be a JSON object")]
    public async Task A_malformed_body_answers_400_naming_each_problem_by_its_path(string body, string expected)
    {
        using var response = await PostAsync(body);

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid schedule", expected);
    }

    [Theory]
    [InlineData("""{ "id": "bad-cron", "workflowId": "greet", "input": { "name": "A" }, "cron": "0 0 25 * * ?" }""", "$.cron: '0 0 25 * * ?' is not a Quartz cron expression")]
    [InlineData("""{ "id": "bad-interval", "workflowId": "greet", "input": { "name": "A" }, "interval": "P1M" }""", "$.interval: 'P1M' counts years or months")]
    [InlineData("""{ "id": "bad-zone", "workflowId": "greet", "input": { "name": "A" }, "cron": "0 0 9 * * ?", "timeZone": "Atlantis/Capital" }""", "$.timeZone: 'Atlantis/Capital'")]
    [InlineData("""{ "id": "bad-workflow", "workflowId": "nope", "interval": "PT1M" }""", "$.workflowId: the orchestrator knows no workflow 'nope' (it knows greet).")]
    [InlineData("""{ "id": "bad-version", "workflowId": "greet", "version": 3, "input": { "name": "A" }, "interval": "PT1M" }""", "$.version: workflow 'greet' has no version 3")]
    [InlineData("""{ "id": "bad-input", "workflowId": "greet", "input": { }, "interval": "PT1M" }""", "$.input")]
    public async Task What_the_orchestrator_refuses_answers_400_with_its_reasons_and_stores_nothing(string body, string expected)
    {
        using var response = await PostAsync(body);

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid schedule", expected);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString();
        using var lookup = await Client.GetAsync($"/schedules/{id}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task Deleting_an_unknown_schedule_answers_404()
    {
        using var response = await Client.DeleteAsync("/schedules/never-added");

        await RunCommandTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "Schedule not found", "never-added");
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_refused_with_415_before_anything_is_asked()
    {
        using var response = await PostAsync("id=x&workflowId=greet", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}

public sealed class ScheduleWithoutOrchestratorTests
{
    [Fact]
    public async Task Without_an_orchestrator_the_schedule_endpoints_answer_503_after_the_request_timeout()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?>
        {
            ["SagaWorkflows:Bridge:ScheduleRequestTimeout"] = "00:00:00.300",
        });

        using var add = await bridge.Client.PostAsync("/schedules", new StringContent(
            """{ "id": "x", "workflowId": "greet", "interval": "PT1M" }""", Encoding.UTF8, "application/json"));
        using var list = await bridge.Client.GetAsync("/schedules");
        using var remove = await bridge.Client.DeleteAsync("/schedules/x");

        await RunCommandTests.AssertProblemAsync(add, HttpStatusCode.ServiceUnavailable, "No orchestrator answered", "ScheduleRequestTimeout");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, remove.StatusCode);
    }

    [Fact]
    public async Task The_schedule_endpoints_need_the_bridge_s_key_like_every_other_endpoint()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?> { ["SagaWorkflows:Bridge:ApiKeys:0"] = "k-1" });

        using var add = await bridge.Client.PostAsync("/schedules", new StringContent("{}", Encoding.UTF8, "application/json"));
        using var list = await bridge.Client.GetAsync("/schedules");
        using var remove = await bridge.Client.DeleteAsync("/schedules/x");

        Assert.Equal(HttpStatusCode.Unauthorized, add.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, remove.StatusCode);
    }
}
