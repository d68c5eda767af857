using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SagaWorkflows.Bridge.Tests.Api;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Bridge.Tests.Security;

/// <summary>
/// With API keys configured every API call and stream needs one (<c>Authorization: Bearer</c>, or
/// <c>?access_token=</c> for EventSource); the page shell loads without, to ask for it. Without keys the
/// bridge serves loopback only and refuses to start on any other address unless told to.
/// </summary>
public sealed class AuthenticationTests
{
    private const string Key = "k-9f2c1e0b7d";

    private static Task<BridgeServer> StartWithKeysAsync() => BridgeServer.StartAsync(new Dictionary<string, string?>
    {
        ["SagaWorkflows:Bridge:ApiKeys:0"] = "another-key",
        ["SagaWorkflows:Bridge:ApiKeys:1"] = Key,
    });

    [Fact]
    public async Task Without_a_key_the_api_answers_401_with_a_problem_and_with_one_it_serves()
    {
        await using var bridge = await StartWithKeysAsync();
        var starts = await bridge.CaptureAsync<StartWorkflow>();

        using var anonymous = await bridge.Client.GetAsync("/runs");
        using var wrong = await SendAsync(bridge, HttpMethod.Get, "/runs", "not-the-key");
        using var start = await SendAsync(bridge, HttpMethod.Post, "/runs", null, """{ "workflowId": "w" }""");
        using var authorized = await SendAsync(bridge, HttpMethod.Get, "/runs", Key);

        await RunCommandTests.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized, "Authentication required", "Bearer");
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, start.StatusCode);
        Assert.Empty(starts.Messages);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);

        using var started = await SendAsync(bridge, HttpMethod.Post, "/runs", Key, """{ "workflowId": "w" }""");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
    }

    [Fact]
    public async Task Streams_take_the_key_as_access_token_because_EventSource_cannot_send_headers()
    {
        await using var bridge = await StartWithKeysAsync();

        using var refused = await bridge.Client.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await SseConnection.OpenAsync(bridge.Client, $"/events?access_token={Key}");
        // Only streams: elsewhere a key in the URL would end up in logs and histories.
        using var notForTheApi = await bridge.Client.GetAsync($"/runs?access_token={Key}");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.ContentType);
        Assert.Equal(HttpStatusCode.Unauthorized, notForTheApi.StatusCode);
    }

    [Fact]
    public async Task The_page_shell_loads_without_a_key_and_its_script_asks_for_one()
    {
        await using var bridge = await StartWithKeysAsync();
        var html = new HttpRequestMessage(HttpMethod.Get, $"/runs/{Guid.NewGuid()}");
        html.Headers.Accept.ParseAdd("text/html");

        using var page = await bridge.Client.SendAsync(html);
        using var index = await bridge.Client.GetAsync("/");
        var common = await bridge.Client.GetStringAsync("/assets/common.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains("Authorization = `Bearer ${key}`", common, StringComparison.Ordinal);
        Assert.Contains("access_token=", common, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_key_is_its_own_client_for_stream_limits()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?>
        {
            ["SagaWorkflows:Bridge:ApiKeys:0"] = "key-a",
            ["SagaWorkflows:Bridge:ApiKeys:1"] = "key-b",
            ["SagaWorkflows:Bridge:MaxStreamsPerClient"] = "1",
        });

        await using var a = await SseConnection.OpenAsync(bridge.Client, "/events?access_token=key-a");
        using var aAgain = await bridge.Client.GetAsync("/events?access_token=key-a", HttpCompletionOption.ResponseHeadersRead);
        await using var b = await SseConnection.OpenAsync(bridge.Client, "/events?access_token=key-b");

        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, aAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
    }

    [Fact]
    public async Task Without_keys_the_bridge_refuses_to_start_on_a_non_loopback_address()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => BridgeServer.StartAsync(urls: "http://0.0.0.0:0"));

        var refusal = error as InvalidOperationException ?? (error as AggregateException)?.InnerExceptions.OfType<InvalidOperationException>().FirstOrDefault();
        Assert.NotNull(refusal);
        Assert.Contains("without authentication", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("SagaWorkflows__Bridge__ApiKeys__0", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_non_loopback_address_it_starts_with_keys_or_when_explicitly_told()
    {
        await using (var withKeys = await BridgeServer.StartAsync(new Dictionary<string, string?> { ["SagaWorkflows:Bridge:ApiKeys:0"] = Key },
            urls: "http://0.0.0.0:0"))
        {
            using var response = await SendAsync(withKeys, HttpMethod.Get, "/runs", Key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var open = await BridgeServer.StartAsync(new Dictionary<string, string?> { ["SagaWorkflows:Bridge:AllowAnonymous"] = "true" },
            urls: "http://0.0.0.0:0");
        using var anonymous = await open.Client.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(BridgeServer bridge, HttpMethod method, string path, string? key, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return bridge.Client.SendAsync(request);
    }
}
