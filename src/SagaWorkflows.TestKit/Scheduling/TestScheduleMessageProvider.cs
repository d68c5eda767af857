using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using SagaWorkflows.Orchestration.Scheduling;

namespace SagaWorkflows.TestKit.Scheduling;

/// <summary>
/// MassTransit's scheduling seam, answered by <see cref="ScheduledMessages"/>: the message and what the caller's pipe
/// sets on it (ids, headers such as the redelivery count, time-to-live) are captured now, and sent as they were when
/// the test clock reaches the due time.
/// </summary>
/// <param name="machineTime">
/// True for the scheduler of a consume context: MassTransit computes a redelivery's time from the machine's clock
/// (<c>DateTime.UtcNow + delay</c>). False for the bus's scheduler, which the orchestrator's outbox calls with due
/// times read from the test clock.
/// </param>
internal sealed class TestScheduleMessageProvider(ScheduledMessages messages, TestClock clock, bool machineTime) : IScheduleMessageProvider
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        var captured = new MessageSendContext<T>(message, cancellationToken);
        await pipe.Send(captured).ConfigureAwait(false);

        var utc = scheduledTime.Kind == DateTimeKind.Local ? scheduledTime.ToUniversalTime() : DateTime.SpecifyKind(scheduledTime, DateTimeKind.Utc);
        var due = machineTime ? clock.FromMachineTime(utc) : new DateTimeOffset(utc, TimeSpan.Zero);
        var tokenId = NewId.NextGuid();
        var envelope = ScheduledEnvelope.From(captured, tokenId);
        var timeToLive = captured.TimeToLive;

        messages.Add(due, tokenId, $"{typeof(T).Name} to {destinationAddress}", async (bus, ct) =>
        {
            var endpoint = await bus.GetSendEndpoint(destinationAddress).ConfigureAwait(false);
            await endpoint.Send(message, Pipe.Execute<SendContext<T>>(send =>
            {
                envelope.ApplyTo(send);
                send.TimeToLive = timeToLive;
            }), ct).ConfigureAwait(false);
        });

        return new ScheduledMessageHandle<T>(tokenId, scheduledTime, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken)
    {
        messages.Cancel(tokenId);
        return Task.CompletedTask;
    }

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken)
    {
        messages.Cancel(tokenId);
        return Task.CompletedTask;
    }
}
