using MassTransit;
using Microsoft.Extensions.Options;

namespace SagaWorkflows.Bridge.Consumers;

/// <summary>
/// Progress goes to a temporary queue of this bridge process (<c>&lt;Queue&gt;-progress-&lt;id&gt;</c>), so every bridge
/// relays every run's progress and none piles up while no bridge runs. The durable <see cref="BridgeOptions.Queue"/>
/// stays for lifecycle events, which must not be lost.
/// </summary>
/// <remarks>
/// On RabbitMQ, MassTransit declares a temporary endpoint's queue non-durable and exclusive, with a one-minute
/// <c>x-expires</c> as a backstop; because of the expiry it declares it <c>auto_delete=false</c> on purpose. An exclusive
/// queue is deleted by the broker as soon as the connection that declared it closes, a crashed bridge's included, so
/// nothing is left behind (<c>BridgeEndToEndTests</c> kills a bridge and watches its queue go).
/// </remarks>
public sealed class StepProgressConsumerDefinition : ConsumerDefinition<StepProgressConsumer>
{
    public StepProgressConsumerDefinition(IOptions<BridgeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        EndpointName = $"{options.Value.Queue}-progress-{Guid.NewGuid():N}";
        // One at a time: the hub hands progress to the streams in the order the worker published it.
        Endpoint(e =>
        {
            e.Temporary = true;
            e.ConcurrentMessageLimit = 1;
        });
    }
}
