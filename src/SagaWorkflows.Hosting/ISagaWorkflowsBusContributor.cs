using MassTransit;

namespace SagaWorkflows.Hosting;

/// <summary>
/// Lets a SagaWorkflows component (worker, orchestrator, bridge) add its registrations and
/// endpoints to the one bus of a process, so several can share it (the embedded demo does).
/// </summary>
public interface ISagaWorkflowsBusContributor
{
    /// <summary>
    /// Whether <see cref="ConfigureRegistrations"/> adds anything. A contributor without registrations
    /// may be added after the bus (its endpoints are configured when the bus is created); one with
    /// registrations must come first, and adding it later fails at once.
    /// </summary>
    bool HasRegistrations => true;

    void ConfigureRegistrations(IBusRegistrationConfigurator configurator, SagaWorkflowsBusOptions options);

    void ConfigureBus(IBusRegistrationContext context, IBusFactoryConfigurator configurator, SagaWorkflowsBusOptions options);
}
