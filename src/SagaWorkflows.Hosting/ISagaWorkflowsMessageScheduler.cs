using MassTransit;

namespace SagaWorkflows.Hosting;

/// <summary>
/// How a SagaWorkflows bus schedules messages, when the default does not fit: the bus's <see cref="IMessageScheduler"/>
/// (used for wake-ups with a due time) and the scheduler every consume context carries (used by retries' redeliveries).
/// Added with <see cref="SagaWorkflowsBusExtensions.AddSagaWorkflowsMessageScheduler"/>.
/// </summary>
public interface ISagaWorkflowsMessageScheduler
{
    /// <summary>Registers the bus's <see cref="IMessageScheduler"/> (and whatever else it needs).</summary>
    void ConfigureRegistrations(IBusRegistrationConfigurator configurator);

    /// <summary>Gives every consume context a scheduler, as <c>UseDelayedMessageScheduler</c> or <c>UseMessageScheduler</c> do.</summary>
    void ConfigureBus(IBusRegistrationContext context, IBusFactoryConfigurator configurator);
}
