using MassTransit;
using MassTransit.Scheduling;

namespace SagaWorkflows.Orchestration.Scheduling;

internal sealed class CancelScheduledMessageConsumerDefinition : ConsumerDefinition<CancelScheduledMessageConsumer>
{
    public CancelScheduledMessageConsumerDefinition() => Endpoint(SchedulerEndpoint.Configure);

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<CancelScheduledMessageConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.Message<CancelScheduledMessage>(m =>
        {
            m.UseMessageRetry(SchedulerEndpoint.StoreRetry);
            m.UseMessageRetry(SchedulerEndpoint.Retry);
        });
}
