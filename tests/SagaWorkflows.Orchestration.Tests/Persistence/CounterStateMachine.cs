using MassTransit;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

public class CounterStateMachine : MassTransitStateMachine<CounterSaga>
{
    public static readonly Uri AuditAddress = new("queue:counter-audit");

    public CounterStateMachine()
        : this(insertOnInitial: false)
    {
    }

    protected CounterStateMachine(bool insertOnInitial)
    {
        InstanceState(x => x.CurrentState);

        Event(() => Start, x =>
        {
            x.CorrelateById(m => m.Message.CounterId);
            x.InsertOnInitial = insertOnInitial;
        });
        Event(() => Increment, x => x.CorrelateById(m => m.Message.CounterId));
        Event(() => Finish, x => x.CorrelateById(m => m.Message.CounterId));
        // Correlated by a query rather than by id, which takes the repository's SendQuery path.
        Event(() => Reset, x => x.CorrelateBy((saga, context) => saga.CorrelationId == context.Message.CounterId));

        Initially(
            When(Start)
                .Then(context =>
                {
                    context.Saga.EnqueuePublish(new CounterStarted(context.Saga.CorrelationId));
                    context.Saga.PendingMessages.Add(new OutboxItem(new AuditCounter(context.Saga.CorrelationId, "started"), typeof(AuditCounter),
                        context.Message.AuditAddress ?? AuditAddress, context.Message.AuditTimeToLive, context.Message.AuditDueAt));

                    if (context.Message.Fail)
                    {
                        throw new InvalidOperationException("The counter was told to fail.");
                    }
                })
                .TransitionTo(Counting));

        During(Counting,
            Ignore(Start),
            When(Increment)
                // A transition that awaits something leaves a window between load and save; without it the race test
                // passes even against a repository that loses updates.
                .ThenAsync(_ => Task.Delay(5))
                .Then(context =>
                {
                    context.Saga.Count++;
                    context.Saga.EnqueuePublish(new CounterIncremented(context.Saga.CorrelationId, context.Saga.Count));
                }),
            When(Reset)
                .Then(context =>
                {
                    context.Saga.EnqueuePublish(new CounterReset(context.Saga.CorrelationId, context.Saga.Count));
                    context.Saga.Count = 0;
                }),
            When(Finish)
                .Then(context => context.Saga.EnqueuePublish(new CounterFinished(context.Saga.CorrelationId, context.Saga.Count)))
                .Finalize());

        SetCompletedWhenFinalized();
    }

    public State Counting { get; protected set; } = null!;

    public Event<StartCounter> Start { get; protected set; } = null!;

    public Event<IncrementCounter> Increment { get; protected set; } = null!;

    public Event<FinishCounter> Finish { get; protected set; } = null!;

    public Event<ResetCounter> Reset { get; protected set; } = null!;
}
