using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Hosting.Queues;
using SagaWorkflows.Orchestration.Compensation;
using SagaWorkflows.Orchestration.Definitions;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// The thin adapter between the saga and the pure engine: loads the run's state and definition,
/// lets the engine decide, then stores the new state and stages the engine's messages in the
/// saga's outbox, so they leave only if the state was saved, and surely leave if it was.
/// </summary>
public sealed partial class WorkflowRunner(DefinitionCache definitions, IWorkflowDefinitionRegistry registry, TimeProvider time, ILogger<WorkflowRunner> logger,
    SagaWorkflowsQueues? queues = null)
{
    /// <summary>How this bus addresses the product's queues (classic or quorum).</summary>
    public SagaWorkflowsQueues Queues { get; } = queues ?? SagaWorkflowsQueues.Classic;

    public RunTransition Start(WorkflowRun run, StartWorkflow message)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(message);
        var now = time.GetUtcNow();
        run.CreatedAt = now.UtcDateTime;
        var json = message.Definition ?? (message.WorkflowId is { Length: > 0 } requested ? registry.Find(requested, message.Version) : null);
        var workflowId = message.WorkflowId ?? "";
        EngineResult result;
        if (json is null)
        {
            var reason = message.WorkflowId is { Length: > 0 }
                ? $"unknown workflow '{message.WorkflowId}'{(message.Version is { } v ? $" version {v}" : "")}: register it with the orchestrator or send the definition inline"
                : "StartWorkflow needs a WorkflowId or an inline Definition";
            result = WorkflowEngine.Reject(message.RunId, workflowId, reason, [], now, message.Parent);
            json = "";
        }
        else
        {
            var parsed = definitions.Get(json);
            if (!parsed.IsValid)
            {
                var id = TryReadId(json) ?? workflowId;
                result = WorkflowEngine.Reject(message.RunId, id, $"the definition of '{id}' is invalid ({parsed.Errors.Count} problem{(parsed.Errors.Count == 1 ? "" : "s")})",
                    parsed.Errors.Select(e => e.ToString()).ToList(), now, message.Parent);
            }
            else if (ChildWorkflowReferences.Check(parsed.Definition!, registry.Find) is { Count: > 0 } childProblems)
            {
                // Refused before any step (or child run) starts: nothing is partially created.
                var id = parsed.Definition!.Id;
                result = WorkflowEngine.Reject(message.RunId, id, $"the child workflows of '{id}' cannot run ({childProblems.Count} problem{(childProblems.Count == 1 ? "" : "s")})",
                    childProblems.Select(e => e.ToString()).ToList(), now, message.Parent);
            }
            else
            {
                run.WorkflowVersion = parsed.Definition!.Version;
                var schedule = message is { ScheduleId: { Length: > 0 } scheduleId, ScheduledFireTime: { } fireTime } ? (scheduleId, fireTime) : ((string, DateTimeOffset)?)null;
                result = WorkflowEngine.Start(parsed.Definition, message.RunId, CoreJson.ToNode(message.Input), now, parent: message.Parent, schedule: schedule);
            }
        }

        run.WorkflowId = result.State.WorkflowId;
        run.DefinitionJson = json;
        return Monitoring.RunTelemetry.Observe(run, null, Apply(run, result, logger, time, Queues));
    }

    public RunTransition Handle(WorkflowRun run, RunEvent @event)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = DecodeState(run);
        DefinitionParseResult? parsed = null;
        if (run.DefinitionJson.Length > 0)
        {
            parsed = run.DecodedDefinition is { } known && ReferenceEquals(run.DecodedDefinitionJson, run.DefinitionJson) ? known : definitions.Get(run.DefinitionJson);
            (run.DecodedDefinition, run.DecodedDefinitionJson) = (parsed, run.DefinitionJson);
        }

        if (parsed?.Definition is not { } definition)
        {
            // Rejected at start: nothing can happen to it any more, but a signal still deserves an answer.
            if (@event is SignalReceived signal)
            {
                run.EnqueuePublish(new SignalRejected { RunId = run.CorrelationId, Signal = signal.Signal, Reason = $"run {run.CorrelationId} has already finished ({state.Status})" });
            }

            if (@event is RedriveRequested redrive)
            {
                run.EnqueuePublish(new RedriveRejected
                {
                    RunId = run.CorrelationId,
                    AfterSequence = redrive.AfterSequence,
                    Status = state.Status,
                    Reason = $"run {run.CorrelationId} was rejected at its start ({state.Error?.Message}): there is nothing to continue, start a new run",
                });
            }

            return new RunTransition(state.Status, []);
        }

        var before = state.Status;
        return Monitoring.RunTelemetry.Observe(run, before, Apply(run, WorkflowEngine.Handle(definition, state, @event, time.GetUtcNow()), logger, time, Queues));
    }

    /// <summary>The error type of a run ended by <see cref="Fail"/>.</summary>
    public const string PoisonMessageError = "PoisonMessage";

    /// <summary>
    /// Ends the run as failed with a <c>workflow-error</c> naming <paramref name="reason"/>, without the engine:
    /// the engine, the stored state or the definition may be what kept failing. In-flight steps are not waited
    /// for and nothing is compensated; a run already finished is left as it is.
    /// </summary>
    public RunTransition Fail(WorkflowRun run, string reason)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(reason);
        var now = time.GetUtcNow();
        RunState? state = null;
        if (run.StateJson.Length > 0)
        {
            try
            {
                state = DecodeState(run);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogStateUnreadable(logger, ex, run.CorrelationId);
            }
        }

        if (state is { IsFinished: true })
        {
            return new RunTransition(state.Status, []);
        }

        if (run.CreatedAt == default)
        {
            run.CreatedAt = now.UtcDateTime;
        }

        // Unreadable as a state, the row may still say how many events the run has published, so the failure
        // is numbered after them and not dropped as a duplicate by those who follow the run.
        state ??= new RunState { RunId = run.CorrelationId, WorkflowId = run.WorkflowId, StartedAt = now, Sequence = LastSequence(run.StateJson) };
        state.Error = new StepError(PoisonMessageError, reason);
        state.Status = RunStatus.Failed;
        state.EndedAt = now;
        state.Halt = null;
        state.Suspended = false;
        state.Root = new SequenceFrame();
        state.Sequence++;
        LogRunFailed(logger, run.CorrelationId, reason);
        List<EngineEffect> effects = [];
        if (state.Parent is not null)
        {
            // A child run that cannot go on still answers its parent, which would otherwise wait for it forever.
            effects.Add(new SendRunMessage(ChildRuns.Finished(state)));
        }

        return Apply(run, new EngineResult(state, [.. effects, new PublishLifecycleEvent(new WorkflowLifecycleEvent
        {
            RunId = state.RunId,
            WorkflowId = state.WorkflowId,
            Sequence = state.Sequence,
            Type = LifecycleEventTypes.WorkflowError,
            Timestamp = now,
            Data = JsonSerializer.SerializeToElement(new JsonObject
            {
                ["error"] = new JsonObject { ["type"] = PoisonMessageError, ["message"] = reason },
                ["status"] = nameof(RunStatus.Failed),
            }, CoreJson.Options),
        })], null), logger, time, Queues);
    }

    /// <summary>The run's state: the object this process produced for it if the row still holds that very JSON, else parsed.</summary>
    internal static RunState DecodeState(WorkflowRun run)
    {
        return run.DecodedState is { } decoded && ReferenceEquals(run.DecodedStateJson, run.StateJson)
            ? decoded
            : RunStateCodec.Decode(run);
    }

    private static RunTransition Apply(WorkflowRun run, EngineResult result, ILogger logger, TimeProvider time, SagaWorkflowsQueues queues)
    {
        run.StateJson = RunStateCodec.Encode(result.State, run);

        // The engine owns the state object from here on: the next message of this run may reuse it instead of parsing StateJson.
        (run.DecodedState, run.DecodedStateJson) = (result.State, run.StateJson);
        run.WakeAt = result.WakeAt?.UtcDateTime;
        run.UpdatedAt = time.GetUtcNow().UtcDateTime;
        var wakes = new List<DateTimeOffset>();
        foreach (var effect in result.Effects)
        {
            switch (effect)
            {
                case PublishLifecycleEvent e:
                    run.EnqueuePublish(e.Event);
                    break;
                case SendStepCommand send:
                    run.PendingMessages.Add(new OutboxItem(send.Command, send.Command.GetType(), queues.Address(send.Queue), send.TimeToLive));
                    break;
                case RejectSignal reject:
                    LogSignalRejected(logger, reject.Rejection.Signal, reject.Rejection.RunId, reject.Rejection.Reason);
                    run.EnqueuePublish(reject.Rejection);
                    break;
                case RejectRedrive reject:
                    LogRedriveRejected(logger, reject.Rejection.RunId, reject.Rejection.Reason);
                    run.EnqueuePublish(reject.Rejection);
                    break;
                case ScheduleWake wake:
                    wakes.Add(wake.At);
                    break;
                case SendRunMessage message:
                    run.PendingMessages.Add(new OutboxItem(message.Message, message.Message.GetType(), queues.Address(QueueNames.WorkflowRuns)));
                    break;
                case RunCompensation compensation:
                    var (address, slip) = CompensationSlip.Build(result.State.RunId, compensation.Steps, queues);
                    run.PendingMessages.Add(new OutboxItem(slip, typeof(MassTransit.Courier.Contracts.RoutingSlip), address));
                    break;
            }
        }

        return new RunTransition(result.State.Status, wakes);
    }

    private static long LastSequence(string stateJson)
    {
        try
        {
            return JsonNode.Parse(stateJson) is JsonObject state && state["sequence"] is JsonValue value && value.TryGetValue<long>(out var sequence)
                ? sequence
                : 0;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return 0;
        }
    }

    private static string? TryReadId(string json)
    {
        try
        {
            return JsonNode.Parse(json)?["id"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The state of run {RunId} cannot be read; failing it from scratch")]
    private static partial void LogStateUnreadable(ILogger logger, Exception exception, Guid runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed: {Reason}")]
    private static partial void LogRunFailed(ILogger logger, Guid runId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signal {Signal} for run {RunId} rejected: {Reason}")]
    private static partial void LogSignalRejected(ILogger logger, string signal, Guid runId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redrive of run {RunId} rejected: {Reason}")]
    private static partial void LogRedriveRejected(ILogger logger, Guid runId, string reason);
}
