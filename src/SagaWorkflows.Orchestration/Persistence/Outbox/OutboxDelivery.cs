using MassTransit;

namespace SagaWorkflows.Orchestration.Persistence;

internal static class OutboxDelivery
{
    /// <summary>
    /// Publishes or sends one outbox message with its row id as MessageId. A message with an expiration time goes out
    /// with the time left as its TimeToLive; one already expired is not sent at all (false), which for the outbox
    /// counts as done: its row is deleted like a delivered one.
    /// </summary>
    public static async Task<bool> DeliverAsync(IPublishEndpoint publishEndpoint, ISendEndpointProvider sendEndpointProvider, Guid messageId,
        object message, Type messageType, string? destination, DateTime? expiresAt, DateTime nowUtc, CancellationToken cancellationToken,
        Action<SendContext>? headers = null)
    {
        TimeSpan? timeToLive = expiresAt is { } expires ? DateTime.SpecifyKind(expires, DateTimeKind.Utc) - nowUtc : null;
        if (timeToLive <= TimeSpan.Zero)
        {
            return false;
        }

        void Prepare(SendContext context)
        {
            context.MessageId = messageId;
            if (timeToLive is { } left)
            {
                context.TimeToLive = left;
            }

            headers?.Invoke(context);
        }

        if (destination is null)
        {
            await publishEndpoint.Publish(message, messageType, Pipe.Execute<PublishContext>(Prepare), cancellationToken).ConfigureAwait(false);
            return true;
        }

        var endpoint = await sendEndpointProvider.GetSendEndpoint(new Uri(destination)).ConfigureAwait(false);

        await endpoint.Send(message, messageType, Pipe.Execute<SendContext>(Prepare), cancellationToken).ConfigureAwait(false);
        return true;
    }
}
