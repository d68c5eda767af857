using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.Logging;
using Quartz;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>Deletes the trigger of a scheduled message; cancelling one already sent or never scheduled is a no-op.</summary>
public sealed partial class CancelScheduledMessageConsumer(ISchedulerFactory schedulerFactory, ILogger<CancelScheduledMessageConsumer> logger)
    : IConsumer<CancelScheduledMessage>
{
    public async Task Consume(ConsumeContext<CancelScheduledMessage> context)
    {
        var scheduler = await schedulerFactory.GetScheduler(context.CancellationToken);

        var removed = await scheduler.UnscheduleJob(ScheduledMessageJob.TriggerKeyFor(context.Message.TokenId), context.CancellationToken);

        if (removed)
        {
            LogCancelled(logger, context.Message.TokenId);
        }
        else
        {
            LogNothingToCancel(logger, context.Message.TokenId);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cancelled scheduled message {TokenId}")]
    private static partial void LogCancelled(ILogger logger, Guid tokenId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No scheduled message {TokenId} to cancel")]
    private static partial void LogNothingToCancel(ILogger logger, Guid tokenId);
}
