using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Bridge.Streaming;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// <c>POST /runs/{runId}/redrive</c>: continues a run that failed without compensating from the step that failed.
/// The bridge refuses at once what its events already rule out (a run still running, completed, cancelled or
/// compensated); otherwise it publishes <see cref="RedriveWorkflow"/> naming the failure it saw and waits a little for
/// the orchestrator, which decides: the run going on (its <c>workflow-redriven</c> released to the event hub) answers 202,
/// a refusal answers 409 with the orchestrator's reason; no answer within <see cref="BridgeOptions.RedriveReplyWait"/>, 202 pending.
/// </summary>
public static class RedriveEndpoint
{
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public static void Map(IEndpointRouteBuilder endpoints) => endpoints.MapPost("/runs/{runId}/redrive", RedriveAsync);

    private static async Task<IResult> RedriveAsync(string runId, HttpRequest request, BridgeEventStore store, BridgeEventHub hub,
        IPublishEndpoint publish, RedriveRejections rejections, IOptions<BridgeOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        // The body is not used. The run's state is checked after it is read: a post that is not JSON is refused first.
        var (command, refusal) = await RunCommandRequest.ReadAsync(runId, request, store, options.Value.MaxRequestBodyBytes, _ => null, cancellationToken);
        command?.Dispose();
        if (refusal is not null)
        {
            return refusal;
        }

        var (id, run) = (command!.RunId, command.Run);
        if ((Refusal(run) ?? await FailureRefusalAsync(store, run, cancellationToken)) is { } reason)
        {
            return Problems.RedriveRefused(id, run.Status, reason);
        }

        var failedAt = run.TerminalSequence!.Value;
        var reply = new TaskCompletionSource<IResult>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Both waits are in place before the command leaves, so neither answer can arrive unseen.
        using var redriven = hub.WhenReleased(id, e => e.Type == LifecycleEventTypes.WorkflowRedriven && e.Sequence > failedAt,
            _ => reply.TrySetResult(TypedResults.Accepted($"/runs/{id}", new RedriveAccepted(id, failedAt, "redriven"))));
        using var rejected = rejections.WhenRejected(id, failedAt,
            r => reply.TrySetResult(Problems.RedriveRefused(id, r.Status, r.Reason)));

        await publish.Publish(new RedriveWorkflow { RunId = id, AfterSequence = failedAt }, cancellationToken);

        // A timer runs up to about 49 days; a longer wait is as good as none.
        var wait = options.Value.RedriveReplyWait < MaxTimerWait ? options.Value.RedriveReplyWait : Timeout.InfiniteTimeSpan;
        using var timeout = new CancellationTokenSource(wait, time);
        using var pending = timeout.Token.Register(
            () => reply.TrySetResult(TypedResults.Accepted($"/runs/{id}", new RedriveAccepted(id, failedAt, "pending"))));
        return await reply.Task.WaitAsync(cancellationToken);
    }

    /// <summary>What the run's events already say against a redrive; null when only the orchestrator can tell.</summary>
    private static string? Refusal(RunRecord run) => run.TerminalSequence is null
        ? $"Run {run.RunId} is still running ({run.Status}): only a run that failed can be redriven."
        : run.Status switch
        {
            RunStatus.Failed when run.LastEventType == LifecycleEventTypes.WorkflowError => null,
            RunStatus.Completed => $"Run {run.RunId} completed: there is nothing to redrive.",
            RunStatus.Cancelled => $"Run {run.RunId} was cancelled: a cancelled run is not redriven; start a new run.",
            RunStatus.Compensated or RunStatus.CompensationFailed =>
                $"Run {run.RunId} failed and compensation ran ({run.Status}): a compensated run is not redriven; start a new run.",
            _ => $"Run {run.RunId} ended with status {run.Status}: only a run that failed without compensating can be redriven.",
        };

    /// <summary>
    /// A <c>workflow-error</c> says more than the run's status: whether compensation ran (<c>status</c>: a compensated run
    /// shows as Failed) and whether the run kept what a redrive needs (<c>redrivable</c>).
    /// </summary>
    private static async Task<string?> FailureRefusalAsync(BridgeEventStore store, RunRecord run, CancellationToken cancellationToken)
    {
        var terminal = run.TerminalSequence!.Value;
        var events = await store.ReadRunAsync(run.RunId, terminal - 1, 1, cancellationToken);
        if (events is not [{ } error] || error.Sequence != terminal)
        {
            return null;
        }

        using var document = JsonDocument.Parse(error.Json);
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (data.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && status.GetString() != nameof(RunStatus.Failed))
        {
            return $"Run {run.RunId} failed and compensation ran ({status.GetString()}): a compensated run is not redriven; start a new run.";
        }

        if (data.TryGetProperty("redrivable", out var redrivable) && redrivable.ValueKind == JsonValueKind.False)
        {
            var why = data.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) ? $" ({m})" : "";
            return $"Run {run.RunId} failed before it could run a step{why}: there is nothing to continue; start a new run.";
        }

        return null;
    }

    private sealed record RedriveAccepted(Guid RunId, long AfterSequence, string Outcome);
}
