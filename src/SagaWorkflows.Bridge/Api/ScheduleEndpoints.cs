using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// <c>POST /schedules</c>, <c>GET /schedules</c>, <c>GET /schedules/{id}</c>, <c>DELETE /schedules/{id}</c>. The orchestrator
/// owns the schedules (on its durable scheduler) and the definitions they name, so each is a request to it over the bus
/// (<see cref="AddSchedule"/>, <see cref="ListSchedules"/>, <see cref="RemoveSchedule"/>), answered synchronously: a bad
/// schedule is refused with its reasons before anything is stored. No orchestrator answering: 503.
/// </summary>
public static class ScheduleEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/schedules", AddAsync);
        endpoints.MapGet("/schedules", ListAsync);
        endpoints.MapGet("/schedules/{id}", GetAsync);
        endpoints.MapDelete("/schedules/{id}", RemoveAsync);
    }

    private static async Task<IResult> AddAsync(HttpRequest request, IRequestClient<AddSchedule> client, IOptions<BridgeOptions> options,
        CancellationToken cancellationToken)
    {
        var (document, refusal) = await JsonBody.ReadAsync(request, required: true, options.Value.MaxRequestBodyBytes, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        AddSchedule? add;
        IReadOnlyList<string> problems;
        using (document)
        {
            add = ScheduleRequest.TryParse(document!.RootElement, out problems);
        }

        if (add is null)
        {
            return Problems.InvalidSchedule(problems);
        }

        try
        {
            var response = await client.GetResponse<ScheduleAdded, ScheduleRefused>(add, cancellationToken, Timeout(options.Value));
            switch (response.Message)
            {
                case ScheduleAdded added:
                    // 201 for a new schedule, 200 for an add repeated with the same fields (nothing changed); both say where it is.
                    request.HttpContext.Response.Headers.Location = Location(added.Schedule.Id);
                    return TypedResults.Json(added.Schedule, BridgeJson.Options, statusCode: added.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
                default:
                    return Refused((ScheduleRefused)response.Message);
            }
        }
        catch (RequestTimeoutException)
        {
            return Problems.NoOrchestrator(options.Value.ScheduleRequestTimeout);
        }
    }

    private static async Task<IResult> ListAsync(IRequestClient<ListSchedules> client, IOptions<BridgeOptions> options, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetResponse<ScheduleList>(new ListSchedules(), cancellationToken, Timeout(options.Value));
            return TypedResults.Json(response.Message.Schedules, BridgeJson.Options);
        }
        catch (RequestTimeoutException)
        {
            return Problems.NoOrchestrator(options.Value.ScheduleRequestTimeout);
        }
    }

    private static async Task<IResult> GetAsync(string id, IRequestClient<ListSchedules> client, IOptions<BridgeOptions> options, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetResponse<ScheduleList>(new ListSchedules { Id = id }, cancellationToken, Timeout(options.Value));
            return response.Message.Schedules.FirstOrDefault(s => s.Id == id) is { } schedule
                ? TypedResults.Json(schedule, BridgeJson.Options)
                : Problems.ScheduleNotFound(id);
        }
        catch (RequestTimeoutException)
        {
            return Problems.NoOrchestrator(options.Value.ScheduleRequestTimeout);
        }
    }

    private static async Task<IResult> RemoveAsync(string id, IRequestClient<RemoveSchedule> client, IOptions<BridgeOptions> options,
        CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetResponse<ScheduleRemoved, ScheduleRefused>(new RemoveSchedule { Id = id }, cancellationToken,
                Timeout(options.Value));
            return response.Message is ScheduleRemoved ? TypedResults.NoContent() : Refused((ScheduleRefused)response.Message);
        }
        catch (RequestTimeoutException)
        {
            return Problems.NoOrchestrator(options.Value.ScheduleRequestTimeout);
        }
    }

    private static string Location(string id) => "/schedules/" + Uri.EscapeDataString(id);

    private static RequestTimeout Timeout(BridgeOptions options) => options.ScheduleRequestTimeout;

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Refused(ScheduleRefused refused) => refused.Reason switch
    {
        ScheduleRefusalReasons.Conflict => Problems.ScheduleConflict(refused.Id, refused.Problems),
        ScheduleRefusalReasons.NotFound => Problems.ScheduleNotFound(refused.Id),
        _ => Problems.InvalidSchedule(refused.Problems),
    };
}
