using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// <c>GET /runs</c> (recent runs, filtered and paged), <c>GET /runs/{runId}</c> (a run's snapshot) and
/// <c>GET /runs/{runId}/definition</c> (the definition the run keeps), all built from stored events.
/// </summary>
public static class RunQueryEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/runs", ListAsync);
        endpoints.MapGet("/runs/{runId}", GetAsync);
        endpoints.MapGet("/runs/{runId}/definition", GetDefinitionAsync);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, HttpResponse response, string? limit, string? offset,
        string? status, string? workflowId, string? runId, BridgeEventStore store, BridgeAssets assets, IOptions<BridgeOptions> options,
        CancellationToken cancellationToken)
    {
        if (PageEndpoints.WantsHtml(request))
        {
            return PageEndpoints.Page(assets, PageEndpoints.RunsPage, response);
        }

        var o = options.Value;
        var count = o.RecentRunsLimit;
        if (limit is not null
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
        {
            return Problems.BadRequest("Invalid limit", $"'limit' must be an integer from 1 to {o.RecentRunsMaxLimit}, not '{limit}'.");
        }

        var skip = 0;
        if (offset is not null && !int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            return Problems.BadRequest("Invalid offset", $"'offset' must be a whole number (runs to skip, newest first), not '{offset}'.");
        }

        foreach (var (name, value) in new[] { ("status", status), ("workflowId", workflowId), ("runId", runId) })
        {
            if (value is { Length: > MaxFilterLength })
            {
                return Problems.BadRequest("Invalid filter", $"'{name}' is {value.Length} characters long; the limit is {MaxFilterLength}.");
            }
        }

        RunStatus? wanted = null;
        if (Blank(status) is { } statusName)
        {
            // Names only: Enum.TryParse would also take a number.
            if (!Enum.GetNames<RunStatus>().Contains(statusName, StringComparer.OrdinalIgnoreCase))
            {
                return Problems.BadRequest("Invalid status",
                    $"'status' must be one of {string.Join(", ", Enum.GetNames<RunStatus>())}, not '{statusName}'.");
            }

            wanted = Enum.Parse<RunStatus>(statusName, ignoreCase: true);
        }

        var filter = new RunFilter(wanted, Blank(workflowId), Blank(runId));
        var runs = await store.ListRecentRunsAsync(filter, skip, Math.Min(count, o.RecentRunsMaxLimit), cancellationToken);
        response.Headers.Vary = HeaderNames.Accept;
        return TypedResults.Json(runs.Select(RunSummary.From).ToList(), BridgeJson.Options);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private const int MaxFilterLength = 200;

    private static async Task<IResult> GetAsync(string runId, HttpRequest request, HttpResponse response, BridgeEventStore store,
        BridgeAssets assets, CancellationToken cancellationToken)
    {
        if (PageEndpoints.WantsHtml(request))
        {
            // The page itself reports an unknown run; it may simply not have started yet.
            return PageEndpoints.Page(assets, PageEndpoints.RunPage, response);
        }

        if (!RunIds.TryParse(runId, out var id, out var problem))
        {
            return Problems.BadRequest("Invalid run id", problem!);
        }

        var snapshot = await store.GetSnapshotAsync(id, cancellationToken);
        response.Headers.Vary = HeaderNames.Accept;
        return snapshot is null ? Problems.RunNotFound(id) : TypedResults.Json(snapshot, BridgeJson.Options);
    }

    private static async Task<IResult> GetDefinitionAsync(string runId, BridgeEventStore store, CancellationToken cancellationToken)
    {
        if (!RunIds.TryParse(runId, out var id, out var problem))
        {
            return Problems.BadRequest("Invalid run id", problem!);
        }

        if (await store.FindRunAsync(id, cancellationToken) is null)
        {
            return Problems.RunNotFound(id);
        }

        var definition = await store.GetDefinitionAsync(id, cancellationToken);
        return definition is null
            ? Problems.DefinitionNotAvailable(id)
            : TypedResults.Text(definition, "application/json; charset=utf-8");
    }
}
