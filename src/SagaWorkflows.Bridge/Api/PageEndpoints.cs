using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// The live page: <c>/</c> (recent runs) and its scripts and styles under <c>/assets/</c>.
/// <c>/runs</c> and <c>/runs/{runId}</c> show the page to browsers and JSON to everything else
/// (see <see cref="WantsHtml"/>), so a run's link works in both.
/// </summary>
public static class PageEndpoints
{
    public const string RunsPage = "index.html";
    public const string RunPage = "run.html";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        // The page and its assets hold no data: they load without a key, then ask for one.
        endpoints.MapGet("/", (BridgeAssets assets, HttpResponse response) => Page(assets, RunsPage, response)).AllowAnonymous();
        endpoints.MapGet("/assets/{name}", (string name, BridgeAssets assets) =>
            assets.Get(name) is { } file ? (IResult)file : TypedResults.NotFound()).AllowAnonymous();
    }

    /// <summary>
    /// True for a browser navigating: its Accept lists text/html. curl, fetch and HttpClient send
    /// <c>*/*</c> or a JSON type and get the API.
    /// </summary>
    public static bool WantsHtml(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.GetTypedHeaders().Accept.Any(a =>
            a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && (a.Quality ?? 1) > 0);
    }

    public static IResult Page(BridgeAssets assets, string name, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(response);
        // The same URL also serves JSON: caches must key on Accept.
        response.Headers.Vary = HeaderNames.Accept;
        return assets.Get(name) ?? (IResult)TypedResults.NotFound();
    }
}
