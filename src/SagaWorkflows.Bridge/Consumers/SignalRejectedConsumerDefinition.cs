using MassTransit;
using Microsoft.Extensions.Options;

namespace SagaWorkflows.Bridge.Consumers;

/// <summary>Shares the bridge's queue with the lifecycle events: one queue per bridge.</summary>
public sealed class SignalRejectedConsumerDefinition : ConsumerDefinition<SignalRejectedConsumer>
{
    public SignalRejectedConsumerDefinition(IOptions<BridgeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        EndpointName = options.Value.Queue;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SignalRejectedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(consumerConfigurator);
        consumerConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 5000));
    }
}
