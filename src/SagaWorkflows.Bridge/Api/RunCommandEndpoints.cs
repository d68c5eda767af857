using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// <c>POST /runs</c>, <c>POST /runs/{runId}/signals/{signal}</c>, <c>POST /runs/{runId}/cancel</c>,
/// <c>POST /runs/{runId}/suspend</c>, <c>POST /runs/{runId}/resume</c>:
/// each publishes one command for the orchestrator and answers 202, since the run reacts asynchronously
/// (watch its events for the outcome).
/// </summary>
public static class RunCommandEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/runs", StartAsync);
        endpoints.MapPost("/runs/{runId}/signals/{signal}", SignalAsync);
        endpoints.MapPost("/runs/{runId}/cancel", CancelAsync);
        endpoints.MapPost("/runs/{runId}/suspend", SuspendAsync);
        endpoints.MapPost("/runs/{runId}/resume", ResumeAsync);
    }

    private static async Task<IResult> StartAsync(HttpRequest request, BridgeEventStore store, IPublishEndpoint publish,
        IOptions<BridgeOptions> options, CancellationToken cancellationToken)
    {
        var (document, refusal) = await JsonBody.ReadAsync(request, required: true, options.Value.MaxRequestBodyBytes, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        using (document)
        {
            if (!StartRunRequest.TryParse(document!.RootElement, out var start, out var problem))
            {
                return Problems.BadRequest("Invalid start request", problem!);
            }

            var runId = start!.RunId ?? NewId.NextGuid();

            // Recorded before it is published: a second start under a used runId would otherwise be answered 202
            // and then ignored by the orchestrator, which keeps the first.
            switch (await store.RecordStartAsync(runId, start.Fingerprint(), start.WorkflowId ?? start.DefinitionId, cancellationToken))
            {
                case StartRecordOutcome.DifferentStart:
                    return Problems.RunIdInUse(runId, "with another workflow, definition, version or input");
                case StartRecordOutcome.StartedElsewhere:
                    return Problems.RunIdInUse(runId, "(it was not started through this bridge)");
            }

            await publish.Publish(new StartWorkflow
            {
                RunId = runId,
                WorkflowId = start.WorkflowId,
                Version = start.Version,
                Definition = start.Definition,
                Input = start.Input,
            }, cancellationToken);
            return TypedResults.Accepted($"/runs/{runId}", new RunAccepted(runId));
        }
    }

    private static async Task<IResult> SignalAsync(string runId, string signal, HttpRequest request, BridgeEventStore store,
        IPublishEndpoint publish, IOptions<BridgeOptions> options, CancellationToken cancellationToken)
    {
        if (signal.Length > MaxSignalLength)
        {
            return Problems.BadRequest("Invalid signal", $"The signal name is {signal.Length} characters long; the limit is {MaxSignalLength}.");
        }

        var (command, refusal) = await ReadCommandAsync(runId, request, store, options, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var id = command!.RunId;
        using (command)
        {
            await publish.Publish(new SignalWorkflow
            {
                RunId = id,
                Signal = signal,
                Payload = command.Body?.RootElement.Clone(),
            }, cancellationToken);
        }

        return TypedResults.Accepted($"/runs/{id}", new SignalAccepted(id, signal));
    }

    private static async Task<IResult> CancelAsync(string runId, HttpRequest request, BridgeEventStore store,
        IPublishEndpoint publish, IOptions<BridgeOptions> options, CancellationToken cancellationToken)
    {
        var (command, refusal) = await ReadCommandAsync(runId, request, store, options, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var id = command!.RunId;
        string? reason;
        using (command)
        {
            var root = command.Body?.RootElement;
            if (root is { ValueKind: not JsonValueKind.Object })
            {
                return Problems.BadRequest("Invalid cancel request", "$: the body, when given, must be an object { \"reason\": \"...\" }.");
            }

            reason = root is { } r && r.TryGetProperty("reason", out var reasonElement)
                ? reasonElement.ValueKind == JsonValueKind.String ? reasonElement.GetString() : reasonElement.GetRawText()
                : null;
        }

        await publish.Publish(new CancelWorkflow { RunId = id, Reason = reason }, cancellationToken);
        return TypedResults.Accepted($"/runs/{id}", new CancelAccepted(id));
    }

    private static Task<IResult> SuspendAsync(string runId, HttpRequest request, BridgeEventStore store,
        IPublishEndpoint publish, IOptions<BridgeOptions> options, CancellationToken cancellationToken)
        => PublishBodilessAsync(runId, request, store, publish, options, "suspend", id => new SuspendWorkflow { RunId = id }, cancellationToken);

    private static Task<IResult> ResumeAsync(string runId, HttpRequest request, BridgeEventStore store,
        IPublishEndpoint publish, IOptions<BridgeOptions> options, CancellationToken cancellationToken)
        => PublishBodilessAsync(runId, request, store, publish, options, "resume", id => new ResumeWorkflow { RunId = id }, cancellationToken);

    /// <summary>A command that needs no body: read as cancel reads (a body, if any, must be JSON — the same guard
    /// against cross-site posts), then publish it.</summary>
    private static async Task<IResult> PublishBodilessAsync<TCommand>(string runId, HttpRequest request, BridgeEventStore store,
        IPublishEndpoint publish, IOptions<BridgeOptions> options, string verb, Func<Guid, TCommand> command,
        CancellationToken cancellationToken)
        where TCommand : class
    {
        var (read, refusal) = await ReadCommandAsync(runId, request, store, options, cancellationToken);
        read?.Dispose();
        if (refusal is not null)
        {
            return refusal;
        }

        await publish.Publish(command(read!.RunId), cancellationToken);
        return TypedResults.Accepted($"/runs/{read.RunId}", new CommandAccepted(read.RunId, verb));
    }

    /// <summary>A command for a run that has not ended (one that has answers 409), with its optional JSON body.</summary>
    private static Task<(RunCommandRequest? Request, IResult? Refusal)> ReadCommandAsync(string runId, HttpRequest request,
        BridgeEventStore store, IOptions<BridgeOptions> options, CancellationToken cancellationToken) =>
        RunCommandRequest.ReadAsync(runId, request, store, options.Value.MaxRequestBodyBytes,
            run => run.TerminalSequence is null ? null : Problems.RunEnded(run.RunId, run.Status), cancellationToken);

    /// <summary>The same bound as a definition's signal names (SagaWorkflows:Limits:MaxIdLength's default).</summary>
    private const int MaxSignalLength = 128;

    private sealed record RunAccepted(Guid RunId);

    private sealed record SignalAccepted(Guid RunId, string Signal);

    private sealed record CancelAccepted(Guid RunId);

    private sealed record CommandAccepted(Guid RunId, string Command);
}
