using System.Text.Json.Nodes;
using System.Xml;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Expressions;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Schemas;

namespace SagaWorkflows.Core.Engine;

/// <summary>
/// The pure core: given a definition, a run's state and an event, it updates the state and says
/// what to send and publish. No bus, no clock, no storage — the saga supplies those.
/// </summary>
public static class WorkflowEngine
{
    /// <param name="schedule">The schedule that started the run and the fire time it stands for, named in <c>workflow-start</c>.</param>
    public static EngineResult Start(WorkflowDefinition workflow, Guid runId, JsonNode? input, DateTimeOffset now, Random? random = null,
        ParentRun? parent = null, (string Id, DateTimeOffset FireTime)? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var state = new RunState
        {
            RunId = runId,
            WorkflowId = workflow.Id,
            Input = input?.DeepClone(),
            StartedAt = now,
            Deadline = workflow.Timeout is { } t ? now + t : null,
            Parent = parent,
        };
        var context = new RunContext(workflow, state, now, random ?? Random.Shared);
        var tooLarge = context.CheckPayload("the run's input", input, "$.input");
        if (parent is not null && parent.Depth > workflow.Limits.MaxChildDepth)
        {
            tooLarge = new StepError(ErrorTypes.Validation,
                $"child runs nest {parent.Depth} deep; the limit is {workflow.Limits.MaxChildDepth} ({WorkflowLimits.SectionName}:{nameof(WorkflowLimits.MaxChildDepth)})");
        }

        if (tooLarge is not null)
        {
            state.Input = null;
        }

        var startData = new JsonObject
        {
            ["input"] = tooLarge is null ? input?.DeepClone() : null,
            ["version"] = workflow.Version,
            // The definition snapshot the run keeps, so watchers (the bridge's run page) can draw the run as it will go.
            ["definition"] = JsonNode.Parse(workflow.Json),
        };
        if (schedule is { } fired)
        {
            startData["schedule"] = new JsonObject { ["id"] = fired.Id, ["fireTime"] = fired.FireTime.ToUniversalTime() };
        }

        if (parent is not null)
        {
            startData["parent"] = new JsonObject { ["runId"] = parent.RunId, ["path"] = parent.Path, ["depth"] = parent.Depth };
        }

        context.Emit(LifecycleEventTypes.WorkflowStart, data: startData);
        if (parent is not null)
        {
            context.Effects.Add(new SendRunMessage(ChildRuns.Started(state)));
        }

        if (tooLarge is not null)
        {
            state.Error = tooLarge;
            Finish(context, RunStatus.Failed, LifecycleEventTypes.WorkflowError, ErrorData(tooLarge, []));
            return Result(context);
        }

        if (workflow.InputSchema is not null)
        {
            var problems = SchemaValidator.Validate(workflow.InputSchema, input);
            if (problems.Count > 0)
            {
                state.Error = new StepError(ErrorTypes.InvalidInput, "the input does not match the workflow's inputSchema");
                Finish(context, RunStatus.Failed, LifecycleEventTypes.WorkflowError, ErrorData(state.Error, problems));
                return Result(context);
            }
        }

        state.Root.Last = input?.DeepClone();
        var outcome = SequenceRunner.Advance(workflow.Steps, Scope.Root(state.Root), context);
        Conclude(context, outcome);
        return Result(context);
    }

    /// <summary>A start whose definition could not be resolved or is invalid: the run ends at once,
    /// reporting every problem, before any step runs.</summary>
    public static EngineResult Reject(Guid runId, string workflowId, string message, IReadOnlyList<string> problems, DateTimeOffset now,
        ParentRun? parent = null)
    {
        var state = new RunState { RunId = runId, WorkflowId = workflowId, StartedAt = now, Parent = parent };
        var workflow = new WorkflowDefinition { Id = workflowId, Steps = [], Json = "{}" };
        var context = new RunContext(workflow, state, now, Random.Shared);
        state.Error = new StepError(ErrorTypes.Validation, message);
        Finish(context, RunStatus.Failed, LifecycleEventTypes.WorkflowError, ErrorData(state.Error, problems));
        return Result(context);
    }

    public static EngineResult Handle(WorkflowDefinition workflow, RunState state, RunEvent @event, DateTimeOffset now, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(state);
        var context = new RunContext(workflow, state, now, random ?? Random.Shared);
        if (state.IsFinished)
        {
            if (@event is SignalReceived late)
            {
                RejectSignal(context, late.Signal, $"run {state.RunId} has already finished ({state.Status})");
            }

            return Result(context);
        }

        var root = Scope.Root(state.Root);
        if (@event is SuspendRequested { Generation: { } suspendAt } && !WorkflowNode.FromParentInOrder(state, suspendAt)
            || @event is ResumeRequested { Generation: { } resumeAt } && !WorkflowNode.FromParentInOrder(state, resumeAt))
        {
            return Result(context);
        }

        switch (@event)
        {
            case SuspendRequested:
                if (!state.Suspended && state.Status == RunStatus.Running && !context.Halting)
                {
                    state.Suspended = true;
                    state.Status = RunStatus.Suspended;
                    context.Emit(LifecycleEventTypes.WorkflowSuspended);
                    WorkflowNode.Cascade(context, (child, generation) => new SuspendWorkflow { RunId = child, Generation = generation });
                }

                return Result(context);

            case ResumeRequested:
                if (!state.Suspended)
                {
                    return Result(context);
                }

                state.Suspended = false;
                state.Status = RunStatus.Running;
                context.Emit(LifecycleEventTypes.WorkflowResumed);
                WorkflowNode.Cascade(context, (child, generation) => new ResumeWorkflow { RunId = child, Generation = generation });
                Conclude(context, SequenceRunner.Deliver(workflow.Steps, root, context, @event));
                if (!state.IsFinished)
                {
                    state.Continuing = false;
                    Conclude(context, SequenceRunner.Deliver(workflow.Steps, root, context, new TimerElapsed()));
                }

                return Result(context);

            case CancelRequested cancel:
                if (!context.Halting)
                {
                    state.Halt = HaltReason.Cancel;
                    state.CancelReason = cancel.Reason;
                    state.Suspended = false;
                    state.Status = RunStatus.Running;
                }

                Conclude(context, Outcome.Pending);
                return Result(context);

            case StepCompensationSucceeded compensated:
                OnStepCompensated(context, compensated);
                return Result(context);

            case CompensationFinished finished:
                OnCompensationFinished(context, finished);
                return Result(context);

            case TimerElapsed when state.Deadline <= now && !context.Halting && state.Status != RunStatus.Compensating:
                state.Halt = HaltReason.Failure;
                state.Error = new StepError(ErrorTypes.Timeout, $"the run did not finish within {XmlConvert.ToString(workflow.Timeout!.Value)}");
                break;
        }

        if (state.Status == RunStatus.Compensating)
        {
            return Result(context);
        }

        if (@event is TimerElapsed)
        {
            // Every sequence that yielded goes on now; one that runs out of budget again sets it anew.
            state.Continuing = false;
        }

        var outcome = SequenceRunner.Deliver(workflow.Steps, root, context, @event);
        if (@event is SignalReceived signal && !outcome.Handled)
        {
            RejectSignal(context, signal.Signal, $"run {state.RunId} is not waiting for signal '{signal.Signal}'");
        }

        Conclude(context, outcome);
        return Result(context);
    }

    /// <summary>The states of every node still in the run's tree.</summary>
    public static IEnumerable<NodeState> ActiveNodes(WorkflowDefinition workflow, RunState state) =>
        state.Root.Nodes();

    private static void Conclude(RunContext context, Outcome outcome)
    {
        var state = context.State;
        switch (outcome.Kind)
        {
            case OutcomeKind.Completed when !context.Halting:
                JsonNode? output;
                try
                {
                    output = context.Workflow.Output is null
                        ? outcome.Output
                        : context.Expressions.Render(context.Workflow.Output, Scope.Root(state.Root).ToEvaluation(state.Input));
                }
                catch (ExpressionException ex)
                {
                    state.Halt = HaltReason.Failure;
                    state.Error = StepError.Expression(ex.Message, "$.output");
                    break;
                }

                state.Output = output;
                Finish(context, RunStatus.Completed, LifecycleEventTypes.WorkflowComplete, new JsonObject { ["output"] = output?.DeepClone() });
                return;

            case OutcomeKind.Failed:
                state.Halt ??= HaltReason.Failure;
                state.Error ??= outcome.Error;
                break;
        }

        if (state.Halt is null || state.Status == RunStatus.Compensating || state.IsFinished)
        {
            return;
        }

        // Steps already out finish and are recorded, so their compensations are not forgotten; child runs are told to stop first.
        if (WorkflowNode.CancelChildren(context))
        {
            return;
        }

        if (ActiveNodes(context.Workflow, state).OfType<ActivityState>().Any(a => a.Phase == ActivityPhase.Dispatched && !a.Failed))
        {
            return;
        }

        var toUndo = state.CompensationLog.Where(e => !e.Compensated).Reverse().ToList();
        if (toUndo.Count > 0)
        {
            state.Status = RunStatus.Compensating;
            state.Compensation = new CompensationProgress { Plan = toUndo.Select(e => e.Path).ToList() };
            context.Emit(LifecycleEventTypes.CompensationStart, data: new JsonObject
            {
                ["steps"] = new JsonArray(toUndo.Select(e => (JsonNode?)JsonValue.Create(e.Path)).ToArray()),
                ["reason"] = state.Halt == HaltReason.Cancel ? "cancelled" : "failed",
            });
            context.Effects.Add(new RunCompensation(toUndo));
            return;
        }

        EndHalted(context, compensation: null);
    }

    private static void OnStepCompensated(RunContext context, StepCompensationSucceeded compensated)
    {
        var state = context.State;
        if (state.Status != RunStatus.Compensating || state.Compensation is not { } progress || !progress.Plan.Contains(compensated.Path))
        {
            return;
        }

        var entry = state.CompensationLog.FirstOrDefault(e => e.Path == compensated.Path);
        if (entry is null || entry.Compensated)
        {
            return;
        }

        entry.Compensated = true;
        entry.CompensatedAt = compensated.CompletedAt;
        ReportCompensation(context, progress);
    }

    private static void OnCompensationFinished(RunContext context, CompensationFinished finished)
    {
        if (context.State.Status != RunStatus.Compensating || context.State.Compensation is not { } progress || progress.Succeeded is not null)
        {
            return;
        }

        progress.Succeeded = finished.Succeeded;
        progress.FailedPath = finished.FailedPath;
        progress.Error = finished.Error;
        ReportCompensation(context, progress);
    }

    /// <summary>
    /// Reports compensated steps in the plan's order, as far as their reports have arrived, and ends the
    /// compensation once the slip's end is known and every step it undid before that end is accounted for.
    /// A report that arrives before its predecessor's waits in the state; none is ever dropped.
    /// </summary>
    private static void ReportCompensation(RunContext context, CompensationProgress progress)
    {
        var log = context.State.CompensationLog;
        while (progress.Reported < progress.Plan.Count
               && log.FirstOrDefault(e => e.Path == progress.Plan[progress.Reported]) is { Compensated: true } entry)
        {
            progress.Reported++;
            context.Emit(LifecycleEventTypes.StepCompensated, path: entry.Path, stepId: entry.StepId, stepType: ToolStep.TypeName, data: new JsonObject
            {
                ["stepId"] = entry.StepId,
                ["tool"] = entry.Tool,
                ["completedAt"] = entry.CompensatedAt,
            });
        }

        switch (progress.Succeeded)
        {
            case true when progress.Reported == progress.Plan.Count:
                context.Emit(LifecycleEventTypes.CompensationComplete);
                EndHalted(context, RunStatus.Compensated);
                return;

            case false:
                // The slip stops at the failed activity: the ones before it completed and their reports are on their way.
                var failedAt = progress.FailedPath is null ? -1 : progress.Plan.IndexOf(progress.FailedPath);
                if (failedAt >= 0 && progress.Reported < failedAt)
                {
                    return;
                }

                var failed = log.FirstOrDefault(e => e.Path == progress.FailedPath);
                context.Emit(LifecycleEventTypes.CompensationError, path: progress.FailedPath, stepId: failed?.StepId,
                    stepType: failed is null ? null : ToolStep.TypeName, data: new JsonObject
                    {
                        ["error"] = new JsonObject { ["type"] = "CompensationFailed", ["message"] = progress.Error, ["path"] = progress.FailedPath },
                    });
                EndHalted(context, RunStatus.CompensationFailed);
                return;
        }
    }

    private static void EndHalted(RunContext context, RunStatus? compensation)
    {
        var state = context.State;
        if (state.Halt == HaltReason.Cancel)
        {
            state.Error ??= new StepError(ErrorTypes.Cancelled, state.CancelReason ?? "cancelled");
            Finish(context, compensation == RunStatus.CompensationFailed ? RunStatus.CompensationFailed : RunStatus.Cancelled,
                LifecycleEventTypes.WorkflowCancelled, new JsonObject
                {
                    ["reason"] = state.CancelReason,
                    ["status"] = (compensation ?? RunStatus.Cancelled).ToString(),
                });
            return;
        }

        var status = compensation ?? RunStatus.Failed;
        var data = ErrorData(state.Error ?? new StepError("Error", "the run failed"), []);
        data["status"] = status.ToString();
        Finish(context, status, LifecycleEventTypes.WorkflowError, data);
    }

    private static void Finish(RunContext context, RunStatus status, string eventType, JsonObject data)
    {
        context.State.Status = status;
        context.State.EndedAt = context.Now;
        context.State.Root = new SequenceFrame();
        context.Emit(eventType, data: data);
        if (context.State.Parent is not null)
        {
            context.Effects.Add(new SendRunMessage(ChildRuns.Finished(context.State)));
        }
    }

    private static JsonObject ErrorData(StepError error, IReadOnlyList<string> problems)
    {
        var data = RunContext.ErrorData(error).AsObject();
        if (problems.Count > 0)
        {
            data["error"]!["errors"] = new JsonArray(problems.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
        }

        return data;
    }

    private static void RejectSignal(RunContext context, string signal, string reason) =>
        context.Effects.Add(new RejectSignal(new SignalRejected { RunId = context.State.RunId, Signal = signal, Reason = reason }));

    private static EngineResult Result(RunContext context)
    {
        var state = context.State;
        DateTimeOffset? wake = null;
        if (!state.IsFinished && state.Status != RunStatus.Compensating)
        {
            wake = state.Halt is null ? state.Deadline : null;
            if (state.Continuing && state.Halt is null)
            {
                // A sequence yielded at the end of a transition's budget: the run goes on at once, after whatever is queued.
                wake = context.Now;
                if (context.Yielded)
                {
                    context.Effects.Add(new ScheduleWake(context.Now));
                }
            }

            foreach (var node in ActiveNodes(context.Workflow, state))
            {
                var due = node.Failed ? null : node.DueAt(halting: state.Halt is not null);
                if (due is { } d && (wake is null || d < wake))
                {
                    wake = d;
                }
            }
        }

        return new EngineResult(state, context.Effects, wake);
    }
}
