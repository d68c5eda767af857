using MassTransit;
using Microsoft.Extensions.Options;

namespace SagaWorkflows.Bridge.Consumers;

/// <summary>
/// Progress goes to a temporary queue of this bridge process (<c>&lt;Queue&gt;-progress-&lt;id&gt;</c>: not durable,
/// deleted when the bridge disconnects), so every bridge relays every run's progress and none piles up while no bridge
/// runs. The durable <see cref="BridgeOptions.Queue"/> stays for lifecycle events, which must not be lost.
/// </summary>
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

    /// <summary>
    /// On RabbitMQ, <c>Temporary</c> alone declares the queue non-durable but not auto-delete: every bridge that ever
    /// ran would leave its queue behind. Auto-delete removes it with the bridge's connection.
    /// </summary>
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<StepProgressConsumer> consumerConfigurator, IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.Durable = false;
            rabbit.AutoDelete = true;
        }
    }
}
