using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Bridge.Streaming;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// <c>GET /runs/{runId}/events</c> and <c>GET /events</c>: <c>text/event-stream</c> through ASP.NET Core's
/// <see cref="TypedResults.ServerSentEvents{T}(IAsyncEnumerable{System.Net.ServerSentEvents.SseItem{T}})"/>.
/// </summary>
public static class EventStreamEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/runs/{runId}/events", StreamRunAsync);
        endpoints.MapGet("/events", StreamAllAsync);
    }

    private static async Task<IResult> StreamRunAsync(string runId, HttpContext http, BridgeEventStore store, BridgeEventHub hub,
        ClientStreamLimiter clients, IOptions<BridgeOptions> options, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        if (!RunIds.TryParse(runId, out var id, out var problem))
        {
            return Problems.BadRequest("Invalid run id", problem!);
        }

        if (!StreamCursor.TryRead(http.Request, out var after, out problem))
        {
            return Problems.BadRequest("Invalid stream position", problem!);
        }

        if (clients.TryAcquire(http) is not { } lease)
        {
            return Problems.TooManyClientStreams(clients.MaxPerClient);
        }

        http.Response.RegisterForDispose(lease);

        // Subscribed before anything is read, so no event released meanwhile can be missed.
        var subscription = hub.TrySubscribe(id);
        if (subscription is null)
        {
            return Problems.TooManyStreams(options.Value.MaxConcurrentStreams);
        }

        // However the request ends (404 below, a failure before streaming), the subscription goes with it.
        http.Response.RegisterForDispose(subscription);

        if (await store.FindRunAsync(id, cancellationToken) is null)
        {
            await WaitForFirstEventAsync(subscription, options.Value.UnknownRunWait, cancellationToken);
            if (await store.FindRunAsync(id, cancellationToken) is null)
            {
                return Problems.RunNotFound(id);
            }
        }

        PrepareStreamResponse(http.Response);
        var stream = new RunEventStream(store, subscription, new SseCommentWriter(http.Response), options.Value,
            lifetime.ApplicationStopping);
        return TypedResults.ServerSentEvents(stream.ReadAsync(id, after ?? 0, http.RequestAborted));
    }

    private static async Task<IResult> StreamAllAsync(HttpContext http, BridgeEventStore store, BridgeEventHub hub,
        ClientStreamLimiter clients, IOptions<BridgeOptions> options, IHostApplicationLifetime lifetime)
    {
        if (!StreamCursor.TryRead(http.Request, out var after, out var problem))
        {
            return Problems.BadRequest("Invalid stream position", problem!);
        }

        if (clients.TryAcquire(http) is not { } lease)
        {
            return Problems.TooManyClientStreams(clients.MaxPerClient);
        }

        http.Response.RegisterForDispose(lease);

        var subscription = hub.TrySubscribe(runId: null);
        if (subscription is null)
        {
            return Problems.TooManyStreams(options.Value.MaxConcurrentStreams);
        }

        http.Response.RegisterForDispose(subscription);

        // Without a position the stream is live only: replaying every run ever relayed is opt-in (?after=0).
        var from = after ?? await store.GetLastPositionAsync();
        PrepareStreamResponse(http.Response);
        var stream = new AllEventsStream(store, subscription, new SseCommentWriter(http.Response), options.Value,
            lifetime.ApplicationStopping);
        return TypedResults.ServerSentEvents(stream.ReadAsync(from));
    }

    private static void PrepareStreamResponse(HttpResponse response)
    {
        // nginx buffers proxied responses unless told not to, which would hold events back.
        response.Headers["X-Accel-Buffering"] = "no";
    }

    private static async Task WaitForFirstEventAsync(HubSubscription subscription, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            // Only waits: the event stays in the subscription for the stream to deliver.
            await subscription.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
