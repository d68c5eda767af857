using MassTransit;
using MassTransit.Courier.Contracts;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// One saga per run (CorrelationId = RunId). It only translates messages into engine events and
/// engine statuses into states: what happens next is the engine's decision.
/// </summary>
public sealed class WorkflowRunStateMachine : MassTransitStateMachine<WorkflowRun>
{
    public WorkflowRunStateMachine(WorkflowRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runsQueue = runner.Queues.Address(QueueNames.WorkflowRuns);
        InstanceState(x => x.CurrentState);

        Event(() => Start, e =>
        {
            e.CorrelateById(c => c.Message.RunId);
            e.InsertOnInitial = true;
            e.SetSagaFactory(c => new WorkflowRun { CorrelationId = c.Message.RunId });
        });
        Event(() => StepCompletedReceived, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => StepFaultedReceived, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => StepRetryingReceived, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => StepExpiredReceived, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => ChildFinished, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => ChildStarted, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Wake, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Signal, e =>
        {
            e.CorrelateById(c => c.Message.RunId);
            e.OnMissingInstance(m => m.ExecuteAsync(c => c.Publish(new SignalRejected
            {
                RunId = c.Message.RunId,
                Signal = c.Message.Signal,
                Reason = $"no run {c.Message.RunId} exists",
            })));
        });
        Event(() => Suspend, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Resume, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Cancel, e => { e.CorrelateById(c => c.Message.RunId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SlipActivityCompleted, e => { e.CorrelateById(c => c.Message.TrackingNumber); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SlipCompleted, e => { e.CorrelateById(c => c.Message.TrackingNumber); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SlipFaulted, e => { e.CorrelateById(c => c.Message.TrackingNumber); e.OnMissingInstance(m => m.Discard()); });
        Event(() => FailRun, e =>
        {
            // A start that kept failing left no run behind: the failure creates it, so its caller hears why.
            e.CorrelateById(c => c.Message.RunId);
            e.InsertOnInitial = true;
            e.SetSagaFactory(c => new WorkflowRun { CorrelationId = c.Message.RunId });
        });

        Initially(
            When(Start).ThenAsync(c => EnterAsync(c, runner.Start(c.Saga, c.Message))),
            When(FailRun).ThenAsync(c => EnterAsync(c, runner.Fail(c.Saga, c.Message.Reason))));

        DuringAny(
            Ignore(Start),
            When(FailRun).ThenAsync(c => EnterAsync(c, runner.Fail(c.Saga, c.Message.Reason))),
            When(StepCompletedReceived).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga,
                new StepSucceeded(c.Message.ExecutionId, c.Message.Attempt, CoreJson.ToNode(c.Message.Output))))),
            When(StepFaultedReceived).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga,
                new StepFailed(c.Message.ExecutionId, c.Message.Attempt, c.Message.ErrorType, c.Message.Message, c.Message.Retryable)))),
            When(StepRetryingReceived).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga,
                new StepRetryScheduled(c.Message.ExecutionId, c.Message.Attempt, c.Message.NextAttempt, c.Message.Delay, c.Message.ErrorType, c.Message.Message)))),
            When(StepExpiredReceived).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, new StepAttemptExpired(c.Message.ExecutionId, c.Message.Attempt)))),
            When(ChildFinished).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, Core.Nodes.ChildRuns.ToEvent(c.Message)))),
            When(ChildStarted).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, new ChildRunBegan(c.Message.ChildRunId)))),
            When(Wake).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, new TimerElapsed()))),
            When(Signal).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, new SignalReceived(c.Message.Signal, CoreJson.ToNode(c.Message.Payload))))),
            When(Suspend).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, new SuspendRequested { Generation = c.Message.Generation }))),
            When(Resume).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, new ResumeRequested { Generation = c.Message.Generation }))),
            When(Cancel).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, new CancelRequested(c.Message.Reason)))),
            When(SlipActivityCompleted).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, new StepCompensationSucceeded(c.Message.ActivityName, c.Message.Timestamp)))),
            When(SlipCompleted).ThenAsync(c => EnterAsync(c, runner.Handle(c.Saga, new CompensationFinished(true, null, null)))),
            When(SlipFaulted).ThenAsync(c =>
            {
                var failure = c.Message.ActivityExceptions.FirstOrDefault();
                return EnterAsync(c, runner.Handle(c.Saga, new CompensationFinished(false, failure?.Name,
                    failure is null ? "the compensation routing slip faulted" : $"{failure.ExceptionInfo.ExceptionType}: {failure.ExceptionInfo.Message}")));
            }));
    }

    public State Running { get; private set; } = null!;
    public State Suspended { get; private set; } = null!;
    public State Compensating { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;
    public State Compensated { get; private set; } = null!;
    public State CompensationFailed { get; private set; } = null!;

    public Event<StartWorkflow> Start { get; private set; } = null!;
    public Event<StepCompleted> StepCompletedReceived { get; private set; } = null!;
    public Event<StepFaulted> StepFaultedReceived { get; private set; } = null!;
    public Event<StepRetrying> StepRetryingReceived { get; private set; } = null!;
    public Event<StepExpired> StepExpiredReceived { get; private set; } = null!;
    public Event<WakeWorkflowRun> Wake { get; private set; } = null!;
    public Event<ChildRunFinished> ChildFinished { get; private set; } = null!;
    public Event<ChildRunStarted> ChildStarted { get; private set; } = null!;
    public Event<SignalWorkflow> Signal { get; private set; } = null!;
    public Event<SuspendWorkflow> Suspend { get; private set; } = null!;
    public Event<ResumeWorkflow> Resume { get; private set; } = null!;
    public Event<CancelWorkflow> Cancel { get; private set; } = null!;
    public Event<RoutingSlipActivityCompleted> SlipActivityCompleted { get; private set; } = null!;
    public Event<RoutingSlipCompleted> SlipCompleted { get; private set; } = null!;
    public Event<RoutingSlipFaulted> SlipFaulted { get; private set; } = null!;
    public Event<FailWorkflowRun> FailRun { get; private set; } = null!;

    private readonly Uri _runsQueue;

    /// <summary>
    /// Wakes the run when a sleep or wait timeout is due — a wake-up message in the outbox with that due
    /// time, committed with the state and handed to the message scheduler after the commit, like every
    /// other message of the transition — then enters the state matching the engine's status. If the
    /// wake is lost, the row's timer (the run supervisor) still fires it.
    /// </summary>
    private async Task EnterAsync<T>(BehaviorContext<WorkflowRun, T> context, RunTransition transition) where T : class
    {
        foreach (var at in transition.Wakes.Distinct())
        {
            context.Saga.PendingMessages.Add(new OutboxItem(new WakeWorkflowRun { RunId = context.Saga.CorrelationId }, typeof(WakeWorkflowRun), _runsQueue,
                DueAt: at.UtcDateTime));
        }

        await context.TransitionToState(transition.Status switch
        {
            RunStatus.Running => Running,
            RunStatus.Suspended => Suspended,
            RunStatus.Compensating => Compensating,
            RunStatus.Completed => Completed,
            RunStatus.Failed => Failed,
            RunStatus.Cancelled => Cancelled,
            RunStatus.Compensated => Compensated,
            _ => CompensationFailed,
        });
    }
}
