using MassTransit;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Schedules;

/// <summary>
/// Answers the bridge's and the CLI's schedule requests. On a queue of its own, shared by the orchestrators of one scheduler
/// store (clustered on PostgreSQL): whichever takes a request answers it from the store they share.
/// </summary>
public sealed class ScheduleRequestsConsumer(WorkflowSchedules schedules)
    : IConsumer<AddSchedule>, IConsumer<RemoveSchedule>, IConsumer<ListSchedules>
{
    public async Task Consume(ConsumeContext<AddSchedule> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await RespondAsync(context, await schedules.AddAsync(context.Message, context.CancellationToken));
    }

    public async Task Consume(ConsumeContext<RemoveSchedule> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await RespondAsync(context, await schedules.RemoveAsync(context.Message, context.CancellationToken));
    }

    public async Task Consume(ConsumeContext<ListSchedules> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.RespondAsync(await schedules.ListAsync(context.Message, context.CancellationToken));
    }

    private static Task RespondAsync(ConsumeContext context, object answer) => answer switch
    {
        ScheduleAdded added => context.RespondAsync(added),
        ScheduleRemoved removed => context.RespondAsync(removed),
        ScheduleRefused refused => context.RespondAsync(refused),
        _ => throw new InvalidOperationException($"unexpected answer {answer.GetType().Name}"),
    };
}

/// <summary>One request at a time: an add and a remove of one id apply in the order they came.</summary>
public sealed class ScheduleRequestsConsumerDefinition : ConsumerDefinition<ScheduleRequestsConsumer>
{
    public ScheduleRequestsConsumerDefinition()
    {
        EndpointName = QueueNames.Schedules;
        ConcurrentMessageLimit = 1;
    }
}
