using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Text.Json;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Contracts;
using Spectre.Console;

namespace SagaWorkflows.Cli.Watching;

/// <summary>
/// Follows one run through the bridge's <c>GET /runs/{runId}/events</c> stream until its terminal
/// event, rendering each event once, and streamed steps' <c>step-progress</c> as it comes. A dropped stream is resumed with <c>Last-Event-ID</c> (the
/// bridge replays what was missed); a bridge that cannot be reached at all fails at once.
/// </summary>
public sealed class RunWatcher(HttpClient http, BridgeAddress bridge, EventRenderer renderer, IAnsiConsole diagnostics)
{
    /// <summary>How long a lost stream may stay lost before the watcher gives up.</summary>
    public static readonly TimeSpan ReconnectWindow = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(45);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>An API key of the bridge (<c>SagaWorkflows__Bridge__ApiKeys__N</c>), sent as a bearer token.</summary>
    public const string KeyVariable = "SAGAWF_BRIDGE_KEY";

    public static HttpClient CreateHttpClient()
    {
        var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = ConnectTimeout })
        {
            // The stream lasts as long as the run; the connect, headers and idle limits bound the rest.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } key)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <param name="waitForRun">How long "unknown run" is taken to mean "not there yet": a run
    /// published a moment ago reaches the bridge only after the orchestrator has started it.</param>
    /// <returns>The run, finished.</returns>
    public async Task<RunSnapshot> FollowAsync(Guid runId, TimeSpan waitForRun, CancellationToken cancellationToken)
    {
        var connectedOnce = false;
        var announcedWait = false;
        var waitUntil = DateTimeOffset.UtcNow + waitForRun;
        DateTimeOffset? lostSince = null;
        var backoff = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            var after = renderer.LastSequence(runId);
            HttpResponseMessage response;
            try
            {
                response = await ConnectAsync(runId, after, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (!connectedOnce)
                {
                    throw Unreachable(Describe(ex));
                }

                lostSince ??= DateTimeOffset.UtcNow;
                await PauseBeforeReconnectAsync(lostSince.Value, Describe(ex), backoff, cancellationToken);
                backoff = Next(backoff);
                continue;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    if (DateTimeOffset.UtcNow < waitUntil)
                    {
                        if (!announcedWait)
                        {
                            diagnostics.MarkupLine($"[grey]waiting for run {runId} to reach the bridge…[/]");
                            announcedWait = true;
                        }

                        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                        continue;
                    }

                    throw new CliException(ExitCodes.UnknownRun,
                        $"the bridge at {bridge.Uri} does not know run {runId}",
                        "check the run id (sagawf start prints it); a run appears once the orchestrator has started it");
                }

                if (!response.IsSuccessStatusCode)
                {
                    var problem = $"the bridge at {bridge.Uri} answered {(int)response.StatusCode} {response.ReasonPhrase}{await ProblemDetailAsync(response, cancellationToken)}";
                    if (!connectedOnce || (int)response.StatusCode < 500)
                    {
                        throw new CliException(ExitCodes.Unreachable, problem);
                    }

                    lostSince ??= DateTimeOffset.UtcNow;
                    await PauseBeforeReconnectAsync(lostSince.Value, problem, backoff, cancellationToken);
                    backoff = Next(backoff);
                    continue;
                }

                connectedOnce = true;
                backoff = TimeSpan.FromMilliseconds(250);
                if (lostSince is not null)
                {
                    diagnostics.MarkupLine($"[grey]reconnected; resuming after event {after}[/]");
                    lostSince = null;
                }

                string reason;
                try
                {
                    if (await ReadUntilTerminalAsync(runId, response, cancellationToken) is { } finished)
                    {
                        return finished;
                    }

                    reason = "the bridge closed the stream before the run ended";
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    reason = ex.Message;
                }

                lostSince = DateTimeOffset.UtcNow;
                await PauseBeforeReconnectAsync(lostSince.Value, reason, backoff, cancellationToken);
            }
        }
    }

    private async Task<HttpResponseMessage> ConnectAsync(Guid runId, long after, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, bridge.RunEvents(runId));
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (after > 0)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", after.ToString(CultureInfo.InvariantCulture));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HeadersTimeout);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
    }

    /// <returns>The finished run, or null when the stream ended first.</returns>
    private async Task<RunSnapshot?> ReadUntilTerminalAsync(Guid runId, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = new IdleTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken), IdleTimeout);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            if (item.EventType == "end")
            {
                return renderer.HasEnded(runId) ? renderer.Run(runId) : null;
            }

            if (item.EventType == StepProgress.EventType)
            {
                RenderProgress(runId, item.Data);
                continue;
            }

            WorkflowLifecycleEvent? lifecycleEvent;
            try
            {
                lifecycleEvent = JsonSerializer.Deserialize<WorkflowLifecycleEvent>(item.Data, Json);
            }
            catch (JsonException ex)
            {
                diagnostics.MarkupLine($"[yellow]skipped an unreadable '{Markup.Escape(item.EventType)}' event: {Markup.Escape(ex.Message)}[/]");
                continue;
            }

            if (lifecycleEvent is null || lifecycleEvent.RunId != runId)
            {
                continue;
            }

            renderer.Render(lifecycleEvent);
            if (renderer.HasEnded(runId))
            {
                return renderer.Run(runId);
            }
        }

        return null;
    }

    /// <summary>Progress is a side channel: one that cannot be read is skipped quietly, the step's output will tell.</summary>
    private void RenderProgress(Guid runId, string data)
    {
        try
        {
            if (JsonSerializer.Deserialize<StepProgress>(data, Json) is { } progress && progress.RunId == runId)
            {
                renderer.RenderProgress(progress);
            }
        }
        catch (JsonException)
        {
        }
    }

    private async Task PauseBeforeReconnectAsync(DateTimeOffset lostSince, string reason, TimeSpan backoff, CancellationToken cancellationToken)
    {
        if (DateTimeOffset.UtcNow - lostSince > ReconnectWindow)
        {
            throw new CliException(ExitCodes.Unreachable,
                $"lost the event stream from the bridge at {bridge.Uri} and could not resume it within {ReconnectWindow.TotalSeconds:0} s: {reason}",
                $"the run goes on without a watcher; follow it again with: sagawf watch <runId> --bridge {bridge.Uri}");
        }

        diagnostics.MarkupLine($"[yellow]event stream interrupted ({Markup.Escape(reason)}); reconnecting…[/]");
        await Task.Delay(backoff, cancellationToken);
    }

    private static TimeSpan Next(TimeSpan backoff) => TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 2000));

    private CliException Unreachable(string reason) => new(ExitCodes.Unreachable,
        $"cannot reach the bridge at {bridge.Uri} ({bridge.Source}): {reason}",
        $"start it with: dotnet run --project src/SagaWorkflows.Bridge -- --urls {BridgeAddress.Default}; or point sagawf at yours with --bridge <url> or {BridgeAddress.EnvironmentVariable}");

    private static string Describe(Exception ex)
    {
        if (ex is OperationCanceledException)
        {
            return $"no answer within {HeadersTimeout.TotalSeconds:0} s";
        }

        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.Message;
            }
        }

        return ex.Message;
    }

    /// <summary>The <c>detail</c> of an RFC 9457 problem body, when there is one.</summary>
    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String
                ? $" ({detail.GetString()})"
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
