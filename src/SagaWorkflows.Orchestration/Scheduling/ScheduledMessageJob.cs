using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;
using Quartz;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>
/// Sends a stored scheduled message to its destination when its trigger fires. One durable job serves
/// every trigger; each trigger carries its own message as job data.
/// </summary>
/// <remarks>
/// A failed send (the broker unreachable, typically) is retried by Quartz with a growing wait, for about
/// an hour and a half, rather than refired at once: a one-shot trigger that simply failed would be
/// completed and its message lost.
/// </remarks>
[RetryPolicy(100, "00:00:01", 2.0, MaxDelay = "00:01:00")]
public sealed partial class ScheduledMessageJob(IBus bus, ILogger<ScheduledMessageJob> logger) : IJob
{
    /// <summary>The group of every trigger that carries a scheduled message.</summary>
    public const string TriggerGroup = "sagawf-scheduled-messages";

    public static readonly JobKey Key = new("sagawf-send-scheduled-message", TriggerGroup);

    /// <summary>The trigger of the message scheduled under <paramref name="tokenId"/>, so a re-schedule replaces it and a cancel finds it.</summary>
    public static TriggerKey TriggerKeyFor(Guid tokenId) => new(tokenId.ToString("N"), TriggerGroup);

    /// <summary>
    /// Durable so it outlives its triggers; recoverable so a send cut short by a crash is redone when the
    /// scheduler starts again (or, clustered, by another node): at least once rather than at most once.
    /// </summary>
    internal static IJobDetail Detail { get; } = JobBuilder.Create<ScheduledMessageJob>()
        .WithIdentity(Key)
        .WithDescription("Sends a message scheduled through the SagaWorkflows scheduler")
        .StoreDurably()
        .RequestRecovery()
        .Build();

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var message = StoredMessage.FromJobData(context.MergedJobDataMap);

        var endpoint = await bus.GetSendEndpoint(message.Destination);
        await endpoint.Send(new SerializedMessageBody(), new ForwardStoredMessagePipe(message, context), cancellationToken);

        LogSent(logger, message.Envelope.MessageId, message.Envelope.TokenId, message.Destination);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent scheduled message {MessageId} ({TokenId}) to {Destination}")]
    private static partial void LogSent(ILogger logger, Guid? messageId, Guid? tokenId, Uri destination);
}
