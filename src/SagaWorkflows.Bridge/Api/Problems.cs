using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Api;

/// <summary>The bridge's error answers: RFC 9457 problem details (<c>application/problem+json</c>).</summary>
public static class Problems
{
    public static ProblemHttpResult RunNotFound(Guid runId) => TypedResults.Problem(
        title: "Run not found",
        detail: $"The bridge has no events for run {runId}: check the id, or start the run first.",
        statusCode: StatusCodes.Status404NotFound,
        extensions: new Dictionary<string, object?> { ["runId"] = runId });

    public static ProblemHttpResult DefinitionNotAvailable(Guid runId) => TypedResults.Problem(
        title: "Definition not available",
        detail: $"Run {runId} has no workflow-start event with a definition yet (it has not started, or an orchestrator older than this bridge started it).",
        statusCode: StatusCodes.Status404NotFound,
        extensions: new Dictionary<string, object?> { ["runId"] = runId });

    public static ProblemHttpResult BadRequest(string title, string detail) => TypedResults.Problem(
        title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult RunEnded(Guid runId, RunStatus status) => TypedResults.Problem(
        title: "Run already ended",
        detail: $"Run {runId} ended with status {status}; it accepts no more signals or cancellation.",
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["runId"] = runId, ["runStatus"] = status.ToString() });

    public static ProblemHttpResult UnsupportedMediaType(string? contentType) => TypedResults.Problem(
        title: "Unsupported media type",
        detail: contentType is null
            ? "The request has no Content-Type; send the body as application/json."
            : $"The request's Content-Type is '{Shorten(contentType)}'; the bridge reads only application/json.",
        statusCode: StatusCodes.Status415UnsupportedMediaType);

    public static ProblemHttpResult TooLarge(long limit) => TypedResults.Problem(
        title: "Request body too large",
        detail: $"The request body is larger than {limit} bytes (SagaWorkflows:Bridge:MaxRequestBodyBytes).",
        statusCode: StatusCodes.Status413PayloadTooLarge);

    public static ProblemHttpResult RunIdInUse(Guid runId, string reason) => TypedResults.Problem(
        title: "Run id already used",
        detail: $"Run {runId} already exists {reason}; start the new run with another runId, or leave runId out.",
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["runId"] = runId });

    public static ProblemHttpResult TooManyClientStreams(int limit) => TypedResults.Problem(
        title: "Too many open streams",
        detail: $"This client already has {limit} event streams open on this bridge (SagaWorkflows:Bridge:MaxStreamsPerClient); close one, or retry later.",
        statusCode: StatusCodes.Status429TooManyRequests);

    public static ProblemHttpResult InvalidSchedule(IReadOnlyList<string> problems) => TypedResults.Problem(
        title: "Invalid schedule",
        detail: string.Join(" ", problems),
        statusCode: StatusCodes.Status400BadRequest,
        extensions: new Dictionary<string, object?> { ["errors"] = problems });

    public static ProblemHttpResult ScheduleConflict(string id, IReadOnlyList<string> problems) => TypedResults.Problem(
        title: "Schedule id already used",
        detail: string.Join(" ", problems),
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["scheduleId"] = id });

    public static ProblemHttpResult ScheduleNotFound(string id) => TypedResults.Problem(
        title: "Schedule not found",
        detail: $"There is no schedule '{Shorten(id)}': GET /schedules lists them.",
        statusCode: StatusCodes.Status404NotFound,
        extensions: new Dictionary<string, object?> { ["scheduleId"] = id });

    public static ProblemHttpResult NoOrchestrator(TimeSpan waited) => TypedResults.Problem(
        title: "No orchestrator answered",
        detail: $"No orchestrator answered the schedule request within {waited.TotalSeconds:0.#} s (SagaWorkflows:Bridge:ScheduleRequestTimeout): start one on this broker and vhost, then retry. Nothing was changed by this bridge.",
        statusCode: StatusCodes.Status503ServiceUnavailable);

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";

    public static ProblemHttpResult TooManyStreams(int limit) => TypedResults.Problem(
        title: "Too many open streams",
        detail: $"This bridge serves at most {limit} concurrent event streams; retry later.",
        statusCode: StatusCodes.Status503ServiceUnavailable);
}
