using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.Logging;
using Quartz;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>Deletes the trigger of a scheduled message; cancelling one already sent or never scheduled is a no-op.</summary>
public sealed class CancelScheduledMessageConsumer(ISchedulerFactory schedulerFactory, ILogger<CancelScheduledMessageConsumer> logger)
    : IConsumer<CancelScheduledMessage>
{
    public async Task Consume(ConsumeContext<CancelScheduledMessage> context)
    {
        var scheduler = await schedulerFactory.GetScheduler(context.CancellationToken);

        var removed = await scheduler.UnscheduleJob(ScheduledMessageJob.TriggerKeyFor(context.Message.TokenId), context.CancellationToken);

        if (removed)
        {
            logger.LogDebug("Cancelled scheduled message {TokenId}", context.Message.TokenId);
        }
        else
        {
            logger.LogDebug("No scheduled message {TokenId} to cancel", context.Message.TokenId);
        }
    }
}
