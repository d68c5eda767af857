using MassTransit;
using SagaWorkflows.Bridge.Consumers;

namespace SagaWorkflows.Bridge;

public static class BridgeBusRegistrationExtensions
{
    /// <summary>
    /// Adds the bridge's consumers (lifecycle events, signal rejections) on its own durable queue,
    /// <c>SagaWorkflows:Bridge:Queue</c> (default <c>sagawf-bridge</c>). Needs
    /// <see cref="BridgeServiceCollectionExtensions.AddSagaWorkflowsBridge"/>. Streamed steps' progress arrives on a
    /// temporary queue of each bridge process instead: it is relayed live and never stored.
    /// </summary>
    public static IBusRegistrationConfigurator AddSagaWorkflowsBridgeConsumers(this IBusRegistrationConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.AddConsumer<WorkflowLifecycleEventConsumer, WorkflowLifecycleEventConsumerDefinition>();
        configurator.AddConsumer<SignalRejectedConsumer, SignalRejectedConsumerDefinition>();
        configurator.AddConsumer<PurgeFinishedRunsConsumer, PurgeFinishedRunsConsumerDefinition>();
        configurator.AddConsumer<StepProgressConsumer, StepProgressConsumerDefinition>();
        return configurator;
    }
}
