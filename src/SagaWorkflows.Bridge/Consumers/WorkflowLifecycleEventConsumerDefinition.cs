using MassTransit;
using Microsoft.Extensions.Options;

namespace SagaWorkflows.Bridge.Consumers;

/// <summary>Puts the consumer on the bridge's own queue (<see cref="BridgeOptions.Queue"/>).</summary>
public sealed class WorkflowLifecycleEventConsumerDefinition : ConsumerDefinition<WorkflowLifecycleEventConsumer>
{
    public WorkflowLifecycleEventConsumerDefinition(IOptions<BridgeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        EndpointName = options.Value.Queue;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<WorkflowLifecycleEventConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(consumerConfigurator);
        // A busy or briefly unavailable database must not send an event to the error queue: that would
        // leave a gap its run's stream waits on forever.
        consumerConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 5000, 15000, 30000));
    }
}
