using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SagaWorkflows.Contracts;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Cli.Tests;

/// <summary>
/// Serves <c>GET /runs/{runId}/events</c> the way the bridge does (history after <c>Last-Event-ID</c>
/// or <c>?after=</c>, <c>id</c> = sequence, <c>event</c> = type, <c>end</c> after the terminal event,
/// 404 problem for unknown runs), and can drop a stream midway to exercise reconnection.
/// </summary>
public sealed class FakeBridge : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<Guid, IReadOnlyList<WorkflowLifecycleEvent>> _runs = new();
    private readonly ConcurrentDictionary<Guid, int> _dropAfter = new();
    private readonly ConcurrentDictionary<Guid, int> _unknownFor = new();
    private readonly ConcurrentDictionary<Guid, (int Status, string Body)> _redrives = new();
    private readonly Task _serving;

    public FakeBridge()
    {
        // A free port can be taken by someone else between probing and listening: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = Network.FreePort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Close();
            }
        }

        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The <c>Last-Event-ID</c> of every stream request, in order ("" when absent).</summary>
    public ConcurrentQueue<string> LastEventIds { get; } = new();

    public void AddRun(Guid runId, IReadOnlyList<WorkflowLifecycleEvent> events) => _runs[runId] = events;

    /// <summary>The first stream of the run closes abruptly after this many events.</summary>
    public void DropFirstStreamAfter(Guid runId, int events) => _dropAfter[runId] = events;

    /// <summary>The run's first stream requests get 404, as before the orchestrator's first event arrives.</summary>
    public void UnknownForFirstRequests(Guid runId, int requests) => _unknownFor[runId] = requests;

    /// <summary>What <c>POST /runs/{runId}/redrive</c> answers for the run (404 problem for a run without an answer).</summary>
    public void AnswerRedrive(Guid runId, int status, object body) => _redrives[runId] = (status, JsonSerializer.Serialize(body, Json));

    /// <summary>The runs of the redrive requests received, in order.</summary>
    public ConcurrentQueue<Guid> Redrives { get; } = new();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var segments = context.Request.Url!.AbsolutePath.Trim('/').Split('/');
            if (context.Request.HttpMethod == "POST" && segments is ["runs", var redriven, "redrive"] && Guid.TryParse(redriven, out var redriveId))
            {
                Redrives.Enqueue(redriveId);
                var (status, body) = _redrives.TryGetValue(redriveId, out var answer)
                    ? answer
                    : (404, JsonSerializer.Serialize(new { title = "Run not found", status = 404, detail = $"The bridge has no events for run {redriveId}." }, Json));
                response.StatusCode = status;
                response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
                await WriteAsync(response, body);
                response.Close();
                return;
            }

            if (segments is not ["runs", var id, "events"] || !Guid.TryParse(id, out var runId))
            {
                response.StatusCode = 200;
                await WriteAsync(response, "<html>fake bridge</html>");
                response.Close();
                return;
            }

            var lastEventId = context.Request.Headers["Last-Event-ID"] ?? "";
            LastEventIds.Enqueue(lastEventId);
            var stillUnknown = _unknownFor.TryGetValue(runId, out var remaining) && remaining > 0
                && _unknownFor.TryUpdate(runId, remaining - 1, remaining);
            if (stillUnknown || !_runs.TryGetValue(runId, out var events))
            {
                response.StatusCode = 404;
                response.ContentType = "application/problem+json";
                await WriteAsync(response, JsonSerializer.Serialize(new { title = "Run not found", status = 404, detail = $"The bridge has no events for run {runId}." }));
                response.Close();
                return;
            }

            var after = long.TryParse(lastEventId, CultureInfo.InvariantCulture, out var l) ? l
                : long.TryParse(context.Request.QueryString["after"], CultureInfo.InvariantCulture, out var a) ? a : 0;
            response.StatusCode = 200;
            response.ContentType = "text/event-stream";
            response.SendChunked = true;
            await WriteAsync(response, $": run {runId}\n\n");
            var sent = 0;
            var dropAfter = _dropAfter.TryRemove(runId, out var drop) ? drop : int.MaxValue;
            foreach (var e in events.Where(e => e.Sequence > after))
            {
                if (sent == dropAfter)
                {
                    response.Abort();
                    return;
                }

                await WriteAsync(response, $"id: {e.Sequence}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(e, Json)}\n\n");
                sent++;
                if (LifecycleEventTypes.IsTerminal(e.Type))
                {
                    await WriteAsync(response, $"event: end\ndata: {JsonSerializer.Serialize(new { runId, sequence = e.Sequence, type = e.Type }, Json)}\n\n");
                    break;
                }
            }

            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away first.
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await response.OutputStream.WriteAsync(bytes);
        await response.OutputStream.FlushAsync();
    }
}
