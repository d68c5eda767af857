using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SagaWorkflows.Bridge.Api;

/// <summary>The bridge's error answers: RFC 9457 problem details (<c>application/problem+json</c>).</summary>
public static class Problems
{
    public static ProblemHttpResult RunNotFound(Guid runId) => TypedResults.Problem(
        title: "Run not found",
        detail: $"The bridge has no events for run {runId}: check the id, or start the run first.",
        statusCode: StatusCodes.Status404NotFound,
        extensions: new Dictionary<string, object?> { ["runId"] = runId });

    public static ProblemHttpResult BadRequest(string title, string detail) => TypedResults.Problem(
        title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult RunEnded(Guid runId, string status) => TypedResults.Problem(
        title: "Run already ended",
        detail: $"Run {runId} ended with status {status}; it accepts no more signals or cancellation.",
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["runId"] = runId, ["runStatus"] = status });

    public static ProblemHttpResult TooManyStreams(int limit) => TypedResults.Problem(
        title: "Too many open streams",
        detail: $"This bridge serves at most {limit} concurrent event streams; retry later.",
        statusCode: StatusCodes.Status503ServiceUnavailable);
}
