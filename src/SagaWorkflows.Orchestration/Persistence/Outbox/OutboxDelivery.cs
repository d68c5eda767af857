using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace SagaWorkflows.Orchestration.Persistence;

internal static class OutboxDelivery
{
    /// <summary>
    /// Publishes or sends one outbox message with its row id as MessageId. A send due later goes to the message
    /// scheduler for its due time (or straight out when no scheduler is registered: the receiver must cope with an
    /// early arrival, as a run's wake-up does). A message with an expiration time goes out with the time left as its
    /// TimeToLive; one already expired is not sent at all (false), which for the outbox counts as done: its row is
    /// deleted like a delivered one.
    /// </summary>
    public static async Task<bool> DeliverAsync(IBus bus, Func<IMessageScheduler?> scheduler, OutboxMessage row, object message, Type messageType,
        DateTime nowUtc, CancellationToken cancellationToken, Action<SendContext>? headers = null)
    {
        TimeSpan? timeToLive = row.ExpiresAt is { } expires ? DateTime.SpecifyKind(expires, DateTimeKind.Utc) - nowUtc : null;
        if (timeToLive <= TimeSpan.Zero)
        {
            return false;
        }

        void Prepare(SendContext context)
        {
            context.MessageId = row.Id;
            if (timeToLive is { } left)
            {
                context.TimeToLive = left;
            }

            headers?.Invoke(context);
        }

        if (row.Destination is null)
        {
            await bus.Publish(message, messageType, Pipe.Execute<PublishContext>(Prepare), cancellationToken).ConfigureAwait(false);
            return true;
        }

        var destination = new Uri(row.Destination);
        if (row.DueAt is { } due && DateTime.SpecifyKind(due, DateTimeKind.Utc) > nowUtc && scheduler() is { } messageScheduler)
        {
            await messageScheduler.ScheduleSend(destination, DateTime.SpecifyKind(due, DateTimeKind.Utc), message, messageType,
                Pipe.Execute<SendContext>(context =>
                {
                    context.MessageId = row.Id;
                    headers?.Invoke(context);
                }), cancellationToken).ConfigureAwait(false);
            return true;
        }

        var endpoint = await bus.GetSendEndpoint(destination).ConfigureAwait(false);
        await endpoint.Send(message, messageType, Pipe.Execute<SendContext>(Prepare), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The bus's message scheduler, if one is registered (MassTransit registers it scoped, on the bus alone).</summary>
    public static Func<IMessageScheduler?> SchedulerFrom(IServiceProvider services)
    {
        var scheduler = new Lazy<IMessageScheduler?>(() =>
        {
            using var scope = services.CreateScope();
            return scope.ServiceProvider.GetService<IMessageScheduler>();
        });
        return () => scheduler.Value;
    }
}
