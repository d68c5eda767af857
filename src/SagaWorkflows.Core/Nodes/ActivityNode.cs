using System.Text.Json.Nodes;
using System.Xml;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Expressions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Retries;

namespace SagaWorkflows.Core.Nodes;

/// <summary>
/// What <c>tool</c> and <c>ai</c> steps share: a command out to a worker, replies matched by
/// execution id, retries announced by the worker, and the attempt timeout enforced here too,
/// because a command no worker takes never produces a reply.
/// </summary>
internal abstract class ActivityNode<TStep> : NodeType<TStep, ActivityState> where TStep : StepDefinition
{
    public override string StateName => "activity";

    public override bool HasAttempts => true;

    protected abstract StepRetryPolicy? RetryOf(TStep step);

    protected abstract TimeSpan? TimeoutOf(TStep step);

    /// <summary>Renders what the command carries; expression errors fail the step.</summary>
    protected abstract override JsonNode? PrepareInput(TStep step, JsonNode? input, Scope scope, RunContext context);

    protected abstract (string Queue, object Command) BuildCommand(TStep step, ActivityState state, RunContext context);

    protected virtual void OnSucceeded(TStep step, ActivityState state, JsonNode? output, Scope scope, RunContext context)
    {
    }

    protected override Outcome StartNode(TStep step, string path, JsonNode? input, Scope scope, RunContext context, out ActivityState? state)
    {
        var activity = new ActivityState
        {
            Path = path,
            StartedAt = context.Now,
            ExecutionId = ExecutionIds.For(context.State.RunId, RunRedrive.ExecutionName(path, context.State.Redrives)),
            Input = input,
            Phase = ActivityPhase.Deferred,
        };
        state = activity;
        if (!context.State.Suspended)
        {
            Dispatch(step, activity, context);
        }

        return Outcome.Pending;
    }

    /// <remarks>
    /// Replies come back in any order: a worker reports attempt n's retry before it runs attempt n+1, but the
    /// two reports can be processed the other way round. Each report is therefore applied in attempt order —
    /// one that overtook an earlier attempt's waits in the state — so <c>step-retry</c> events come in attempt
    /// order and the step completes or fails after them, whatever order they arrived in.
    /// </remarks>
    protected override Outcome DeliverNode(TStep step, ActivityState activity, Scope scope, RunContext context, RunEvent @event)
    {
        switch (@event)
        {
            case StepSucceeded s when s.ExecutionId == activity.ExecutionId:
                return Report(step, activity, scope, context, new AttemptReport { Attempt = s.Attempt, Succeeded = true, Output = s.Output });

            case StepFailed f when f.ExecutionId == activity.ExecutionId:
                // A late failure of an attempt already given up on (timed out, retried) says nothing new.
                return f.Attempt <= activity.RetriedThrough
                    ? Outcome.Pending
                    : Report(step, activity, scope, context, new AttemptReport { Attempt = f.Attempt, ErrorType = f.ErrorType, Message = f.Message });

            case StepRetryScheduled r when r.ExecutionId == activity.ExecutionId:
                if (r.Attempt > activity.RetriedThrough)
                {
                    activity.EarlyRetries ??= [];
                    activity.EarlyRetries.TryAdd(r.Attempt, new AttemptReport
                    {
                        Attempt = r.Attempt,
                        NextAttempt = r.NextAttempt,
                        Delay = r.Delay,
                        ErrorType = r.ErrorType,
                        Message = r.Message,
                    });
                    return ApplyInOrder(step, activity, scope, context);
                }

                return Outcome.Pending;

            case StepAttemptExpired x when x.ExecutionId == activity.ExecutionId:
                // The worker refused the attempt because its deadline passed: the same as the run's own timeout, only sooner.
                return x.Attempt == activity.Attempt && x.Attempt > activity.RetriedThrough && activity.Phase == ActivityPhase.Dispatched
                    ? TimedOut(step, activity, scope, context)
                    : Outcome.Pending;

            case TimerElapsed:
                return OnTimer(step, activity, scope, context);

            case ResumeRequested when activity.Phase == ActivityPhase.Deferred && !context.Halting:
                Dispatch(step, activity, context);
                return Outcome.Pending;

            default:
                return Outcome.NotFound;
        }
    }

    /// <summary>A final report applies once every earlier attempt's retry is reported; until then it waits.</summary>
    private Outcome Report(TStep step, ActivityState activity, Scope scope, RunContext context, AttemptReport report)
    {
        if (report.Attempt > activity.RetriedThrough + 1)
        {
            activity.EarlyResult ??= report;
            return Outcome.Pending;
        }

        return Finish(step, activity, scope, context, report);
    }

    private Outcome Finish(TStep step, ActivityState activity, Scope scope, RunContext context, AttemptReport report)
    {
        activity.EarlyResult = null;
        activity.EarlyRetries = null;
        if (report.Succeeded)
        {
            activity.Attempt = Math.Max(activity.Attempt, report.Attempt);
            if (context.CheckPayload($"the output of step '{step.Id}'", report.Output, activity.Path) is { } tooLarge)
            {
                return Outcome.Fail(tooLarge);
            }

            OnSucceeded(step, activity, report.Output, scope, context);
            return Outcome.Completed(report.Output);
        }

        return Outcome.Fail(new StepError(report.ErrorType ?? "Error", report.Message ?? ""));
    }

    /// <summary>Emits the retries whose turn has come, then the final report if it was waiting only for them.</summary>
    private Outcome ApplyInOrder(TStep step, ActivityState activity, Scope scope, RunContext context)
    {
        while (activity.EarlyRetries is { } early && early.Remove(activity.RetriedThrough + 1, out var retry))
        {
            activity.RetriedThrough = retry.Attempt;
            if (retry.NextAttempt > activity.Attempt)
            {
                activity.Attempt = retry.NextAttempt;
                activity.Phase = ActivityPhase.Dispatched;
                activity.RetryAt = null;
                activity.DeadlineAt = AttemptDeadline.After(TimeoutOf(step), context.Now + retry.Delay);
            }

            EmitRetry(step, activity, retry.Attempt, retry.NextAttempt, retry.Delay, new StepError(retry.ErrorType ?? "Error", retry.Message ?? ""), context);
        }

        if (activity.EarlyRetries is { Count: 0 })
        {
            activity.EarlyRetries = null;
        }

        return activity.EarlyResult is { } result && result.Attempt <= activity.RetriedThrough + 1
            ? Finish(step, activity, scope, context, result)
            : Outcome.Pending;
    }

    private Outcome OnTimer(TStep step, ActivityState activity, Scope scope, RunContext context)
    {
        if (activity.Phase == ActivityPhase.Dispatched && activity.DeadlineAt <= context.Now)
        {
            return TimedOut(step, activity, scope, context);
        }

        if (activity.Phase == ActivityPhase.WaitingRetry && activity.RetryAt <= context.Now && !context.Halting && !context.State.Suspended)
        {
            activity.Attempt++;
            activity.RetryAt = null;
            Dispatch(step, activity, context);
            return Outcome.Pending;
        }

        return Outcome.NotFound;
    }

    /// <summary>The current attempt is given up on: retried after the policy's delay, or the step fails.</summary>
    private Outcome TimedOut(TStep step, ActivityState activity, Scope scope, RunContext context)
    {
        if (activity.EarlyResult is { } known)
        {
            // The step already finished; only a retry report overtaken by it is missing, and it is no longer waited for.
            return Finish(step, activity, scope, context, known);
        }

        var timeout = TimeoutOf(step) ?? TimeSpan.Zero;
        var error = new StepError(ErrorTypes.Timeout, $"attempt {activity.Attempt} did not finish within {XmlConvert.ToString(timeout)}");
        var policy = RetryOf(step) ?? DefaultPolicy;
        activity.RetriedThrough = Math.Max(activity.RetriedThrough, activity.Attempt);
        activity.EarlyRetries?.Remove(activity.Attempt);
        if (context.Halting || !RetryDelays.ShouldRetry(policy, activity.Attempt, ErrorTypes.Timeout))
        {
            return Outcome.Fail(error);
        }

        var delay = RetryDelays.DelayBeforeAttempt(policy, activity.Attempt + 1, context.Random);
        activity.Phase = ActivityPhase.WaitingRetry;
        activity.RetryAt = context.Now + delay;
        activity.DeadlineAt = null;
        EmitRetry(step, activity, activity.Attempt, activity.Attempt + 1, delay, error, context);
        return Outcome.Pending;
    }

    private void Dispatch(TStep step, ActivityState activity, RunContext context)
    {
        var timeout = TimeoutOf(step);
        activity.Phase = ActivityPhase.Dispatched;
        activity.DeadlineAt = AttemptDeadline.After(timeout, context.Now);
        var (queue, command) = BuildCommand(step, activity, context);

        // A command nobody took within the timeout is dead: let the broker drop it rather than have
        // a worker start a tool whose result the run no longer waits for (the command's deadline makes
        // a worker refuse it too, should the broker deliver it anyway).
        context.Send(queue, command, timeout);
    }

    private static void EmitRetry(TStep step, ActivityState activity, int attempt, int nextAttempt, TimeSpan delay, StepError error, RunContext context) =>
        context.Emit(LifecycleEventTypes.StepRetry, step, activity.Path, attempt, new JsonObject
        {
            ["attempt"] = attempt,
            ["nextAttempt"] = nextAttempt,
            ["delayMs"] = (long)delay.TotalMilliseconds,
            ["error"] = new JsonObject { ["type"] = error.Type, ["message"] = error.Message },
        });

    /// <summary>The product's defaults (3 attempts, 1 s, ×2) apply when a step sets no <c>retry</c>.</summary>
    protected static readonly StepRetryPolicy DefaultPolicy = new();

    protected static StepRetryPolicy PolicyContract(StepRetryPolicy? policy) => policy ?? DefaultPolicy;
}

public enum ActivityPhase
{
    /// <summary>Started while the run was suspended: dispatched on resume.</summary>
    Deferred,
    Dispatched,
    WaitingRetry,
}

/// <summary>A <c>tool</c> or <c>ai</c> step: a command out to a worker.</summary>
public sealed class ActivityState : NodeState
{
    public Guid ExecutionId { get; set; }
    public int Attempt { get; set; } = 1;
    public ActivityPhase Phase { get; set; }
    public JsonNode? Input { get; set; }

    /// <summary>When the current attempt is considered timed out (step timeout plus a grace).</summary>
    public DateTimeOffset? DeadlineAt { get; set; }

    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>Attempts up to this one have had their <c>step-retry</c> event: reports of later attempts wait for it.</summary>
    public int RetriedThrough { get; set; }

    /// <summary>Retry reports that arrived before an earlier attempt's, by attempt, until their turn.</summary>
    public Dictionary<int, AttemptReport>? EarlyRetries { get; set; }

    /// <summary>A final report (success or failure) that arrived before the retry reports of the attempts before it.</summary>
    public AttemptReport? EarlyResult { get; set; }

    public override IEnumerable<SequenceFrame> Frames() => [];

    public override DateTimeOffset? DueAt(bool halting) => Phase switch
    {
        ActivityPhase.Dispatched => DeadlineAt,
        ActivityPhase.WaitingRetry => RetryAt,
        _ => null,
    };
}

/// <summary>A worker's report on one attempt, kept while the reports it follows are still on their way.</summary>
public sealed record AttemptReport
{
    public int Attempt { get; init; }
    public bool Succeeded { get; init; }
    public JsonNode? Output { get; init; }
    public int NextAttempt { get; init; }
    public TimeSpan Delay { get; init; }
    public string? ErrorType { get; init; }
    public string? Message { get; init; }
}
