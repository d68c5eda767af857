using MassTransit;

namespace SagaWorkflows.Orchestration.Persistence;

internal static class OutboxDelivery
{
    public static async Task DeliverAsync(IPublishEndpoint publishEndpoint, ISendEndpointProvider sendEndpointProvider, Guid messageId,
        object message, Type messageType, string? destination, CancellationToken cancellationToken, Action<SendContext>? headers = null)
    {
        if (destination is null)
        {
            await publishEndpoint.Publish(message, messageType, Pipe.Execute<PublishContext>(context =>
            {
                context.MessageId = messageId;
                headers?.Invoke(context);
            }), cancellationToken).ConfigureAwait(false);
            return;
        }

        var endpoint = await sendEndpointProvider.GetSendEndpoint(new Uri(destination)).ConfigureAwait(false);

        await endpoint.Send(message, messageType, Pipe.Execute<SendContext>(context =>
        {
            context.MessageId = messageId;
            headers?.Invoke(context);
        }), cancellationToken).ConfigureAwait(false);
    }
}
