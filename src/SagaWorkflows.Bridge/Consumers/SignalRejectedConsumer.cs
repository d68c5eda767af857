using MassTransit;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Consumers;

/// <summary>Keeps the orchestrator's refusals of signals, so the run's snapshot and page can show them.</summary>
public sealed class SignalRejectedConsumer(BridgeEventStore store) : IConsumer<SignalRejected>
{
    public Task Consume(ConsumeContext<SignalRejected> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return store.AddRejectedSignalAsync(context.Message, context.CancellationToken);
    }
}
