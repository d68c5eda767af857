using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.Logging;
using Quartz;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>
/// Stores a <see cref="ScheduleMessage"/> as a Quartz trigger keyed by its schedule token, so the message
/// survives restarts and is sent by whichever scheduler node fires it.
/// </summary>
public sealed partial class ScheduleMessageConsumer(ISchedulerFactory schedulerFactory, ILogger<ScheduleMessageConsumer> logger)
    : IConsumer<ScheduleMessage>
{
    public async Task Consume(ConsumeContext<ScheduleMessage> context)
    {
        var message = StoredMessage.From(context);
        var tokenId = context.Message.CorrelationId;

        var trigger = TriggerBuilder.Create()
            .WithIdentity(ScheduledMessageJob.TriggerKeyFor(tokenId))
            .ForJob(ScheduledMessageJob.Key)
            .StartAt(ToUtc(context.Message.ScheduledTime))
            // A time already past (the scheduler was down, or the caller asked for "now") still sends, at once.
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .UsingJobData(message.ToJobData())
            .Build();

        var scheduler = await schedulerFactory.GetScheduler(context.CancellationToken);

        // Storing the job with the trigger, replacing both, makes "create the job if missing" and
        // "replace an earlier schedule of this token" one transaction instead of check-then-act races.
        await scheduler.ScheduleJob(ScheduledMessageJob.Detail, [trigger], ScheduleJobOptions.Replacing, context.CancellationToken);

        LogScheduled(logger, message.Envelope.MessageId, tokenId, context.Message.ScheduledTime, message.Destination);
    }

    /// <remarks>
    /// The contract says UTC, but a <see cref="DateTime"/> read back from JSON can be Unspecified, which
    /// the implicit conversion to <see cref="DateTimeOffset"/> would take as local time.
    /// </remarks>
    private static DateTimeOffset ToUtc(DateTime scheduledTime) => scheduledTime.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(scheduledTime.ToUniversalTime(), TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(scheduledTime, DateTimeKind.Utc), TimeSpan.Zero),
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled {MessageId} ({TokenId}) for {ScheduledTime:O} to {Destination}")]
    private static partial void LogScheduled(ILogger logger, Guid? messageId, Guid tokenId, DateTime scheduledTime, Uri destination);
}
