using MassTransit;

namespace SagaWorkflows.Hosting;

/// <summary>
/// Lets a SagaWorkflows component (worker, orchestrator, bridge) add its registrations and
/// endpoints to the one bus of a process, so several can share it (the embedded demo does).
/// </summary>
public interface ISagaWorkflowsBusContributor
{
    void ConfigureRegistrations(IBusRegistrationConfigurator configurator, SagaWorkflowsBusOptions options);

    void ConfigureBus(IBusRegistrationContext context, IBusFactoryConfigurator configurator, SagaWorkflowsBusOptions options);
}
