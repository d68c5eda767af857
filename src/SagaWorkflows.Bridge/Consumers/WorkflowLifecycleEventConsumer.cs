using MassTransit;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Consumers;

/// <summary>
/// Stores each lifecycle event before acknowledging it, so an event is either in the store or still
/// in the bridge's queue; a redelivery after a crash is recognised as a duplicate.
/// </summary>
public sealed class WorkflowLifecycleEventConsumer(BridgeEventStore store) : IConsumer<WorkflowLifecycleEvent>
{
    public Task Consume(ConsumeContext<WorkflowLifecycleEvent> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return store.AppendAsync(context.Message, context.CancellationToken);
    }
}
