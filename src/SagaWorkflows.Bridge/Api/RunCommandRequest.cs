using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SagaWorkflows.Bridge.Storage;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// A command on one run (<c>POST /runs/{runId}/...</c>) as every such endpoint reads it: the run named by the path, known
/// to the bridge, and an optional body that, when sent, must be JSON (the guard against cross-site posts).
/// Dispose it to release the body.
/// </summary>
internal sealed record RunCommandRequest(RunRecord Run, JsonDocument? Body) : IDisposable
{
    public Guid RunId => Run.RunId;

    /// <param name="check">What the run's record rules out before the body is read (null: nothing).</param>
    /// <returns>The request, or the problem to answer with.</returns>
    public static async Task<(RunCommandRequest? Request, IResult? Refusal)> ReadAsync(string runId, HttpRequest request,
        BridgeEventStore store, long maxBodyBytes, Func<RunRecord, IResult?> check, CancellationToken cancellationToken)
    {
        if (!RunIds.TryParse(runId, out var id, out var problem))
        {
            return (null, Problems.BadRequest("Invalid run id", problem!));
        }

        var run = await store.FindRunAsync(id, cancellationToken);
        if (run is null)
        {
            return (null, Problems.RunNotFound(id));
        }

        if (check(run) is { } refusal)
        {
            return (null, refusal);
        }

        var (document, bodyProblem) = await JsonBody.ReadAsync(request, required: false, maxBodyBytes, cancellationToken);
        return bodyProblem is null ? (new RunCommandRequest(run, document), null) : (null, bodyProblem);
    }

    public void Dispose() => Body?.Dispose();
}
