using MassTransit;
using MassTransit.Scheduling;

namespace SagaWorkflows.Orchestration.Scheduling;

internal sealed class ScheduleMessageConsumerDefinition : ConsumerDefinition<ScheduleMessageConsumer>
{
    public ScheduleMessageConsumerDefinition() => Endpoint(SchedulerEndpoint.Configure);

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ScheduleMessageConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.Message<ScheduleMessage>(m =>
        {
            m.UseMessageRetry(SchedulerEndpoint.StoreRetry);
            m.UseMessageRetry(SchedulerEndpoint.Retry);
        });
}
