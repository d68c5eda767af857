using System.Text.Json.Nodes;
using System.Xml;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Expressions;
using SagaWorkflows.Core.Retries;

namespace SagaWorkflows.Core.Engine.Nodes;

/// <summary>
/// What <c>tool</c> and <c>ai</c> steps share: a command out to a worker, replies matched by
/// execution id, retries announced by the worker, and the attempt timeout enforced here too,
/// because a command no worker takes never produces a reply.
/// </summary>
internal abstract class ActivityNode<TStep> : INodeExecutor where TStep : StepDefinition
{
    protected abstract StepRetryPolicy? RetryOf(TStep step);

    protected abstract TimeSpan? TimeoutOf(TStep step);

    /// <summary>Renders what the command carries; expression errors fail the step.</summary>
    protected abstract JsonNode? Prepare(TStep step, JsonNode? input, Scope scope, RunContext context);

    protected abstract (string Queue, object Command) BuildCommand(TStep step, ActivityState state, RunContext context);

    protected virtual void OnSucceeded(TStep step, ActivityState state, JsonNode? output, Scope scope, RunContext context)
    {
    }

    public Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state)
    {
        var typed = (TStep)step;
        JsonNode? prepared;
        try
        {
            prepared = Prepare(typed, input, scope, context);
        }
        catch (ExpressionException ex)
        {
            state = null;
            return Outcome.Fail(StepError.Expression(ex.Message));
        }

        var activity = new ActivityState
        {
            Path = path,
            StartedAt = context.Now,
            ExecutionId = ExecutionIds.For(context.State.RunId, path),
            Input = prepared,
            Phase = ActivityPhase.Deferred,
        };
        state = activity;
        if (!context.State.Suspended)
        {
            Dispatch(typed, activity, context);
        }

        return Outcome.Pending;
    }

    public Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event)
    {
        var typed = (TStep)step;
        var activity = (ActivityState)state;
        switch (@event)
        {
            case StepSucceeded s when s.ExecutionId == activity.ExecutionId:
                OnSucceeded(typed, activity, s.Output, scope, context);
                return Outcome.Completed(s.Output);

            case StepFailed f when f.ExecutionId == activity.ExecutionId:
                // A late failure of an attempt we already gave up on (timed out) says nothing new.
                return f.Attempt < activity.Attempt
                    ? Outcome.Pending
                    : Outcome.Fail(new StepError(f.ErrorType, f.Message));

            case StepRetryScheduled r when r.ExecutionId == activity.ExecutionId:
                if (r.NextAttempt > activity.Attempt)
                {
                    activity.Attempt = r.NextAttempt;
                    activity.Phase = ActivityPhase.Dispatched;
                    activity.DeadlineAt = DeadlineAfter(TimeoutOf(typed), context.Now + r.Delay);
                    EmitRetry(typed, activity, r.Attempt, r.NextAttempt, r.Delay, new StepError(r.ErrorType, r.Message), context);
                }

                return Outcome.Pending;

            case TimerElapsed:
                return OnTimer(typed, activity, context);

            case ResumeRequested when activity.Phase == ActivityPhase.Deferred && !context.Halting:
                Dispatch(typed, activity, context);
                return Outcome.Pending;

            default:
                return Outcome.NotFound;
        }
    }

    public IEnumerable<NodeState> Descendants(StepDefinition step, NodeState state) => [];

    private Outcome OnTimer(TStep step, ActivityState activity, RunContext context)
    {
        if (activity.Phase == ActivityPhase.Dispatched && activity.DeadlineAt <= context.Now)
        {
            var timeout = TimeoutOf(step) ?? TimeSpan.Zero;
            var error = new StepError(ErrorTypes.Timeout, $"attempt {activity.Attempt} did not finish within {XmlConvert.ToString(timeout)}");
            var policy = RetryOf(step) ?? DefaultPolicy;
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

        if (activity.Phase == ActivityPhase.WaitingRetry && activity.RetryAt <= context.Now && !context.Halting && !context.State.Suspended)
        {
            activity.Attempt++;
            activity.RetryAt = null;
            Dispatch(step, activity, context);
            return Outcome.Pending;
        }

        return Outcome.NotFound;
    }

    private void Dispatch(TStep step, ActivityState activity, RunContext context)
    {
        var timeout = TimeoutOf(step);
        activity.Phase = ActivityPhase.Dispatched;
        activity.DeadlineAt = DeadlineAfter(timeout, context.Now);
        var (queue, command) = BuildCommand(step, activity, context);

        // A command nobody took within the timeout is dead: let the broker drop it rather than have
        // a worker start a tool whose result the run no longer waits for.
        context.Send(queue, command, timeout);
    }

    /// <summary>The worker enforces the timeout itself; the run waits a little longer before it
    /// declares the attempt lost, so the worker's own report normally wins.</summary>
    private static DateTimeOffset? DeadlineAfter(TimeSpan? timeout, DateTimeOffset from) =>
        timeout is { } t ? from + t + TimeSpan.FromSeconds(1) + (t / 10) : null;

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
