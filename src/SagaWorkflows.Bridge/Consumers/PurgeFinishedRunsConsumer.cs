using MassTransit;
using Microsoft.Extensions.Options;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Consumers;

/// <summary><c>sagawf purge</c>: deletes the finished runs the command names from this bridge's store, now.</summary>
public sealed class PurgeFinishedRunsConsumer(BridgeRetention retention) : IConsumer<PurgeFinishedRuns>
{
    public Task Consume(ConsumeContext<PurgeFinishedRuns> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var olderThan = context.Message.OlderThan < TimeSpan.Zero ? TimeSpan.Zero : context.Message.OlderThan;
        return retention.PurgeAsync(olderThan, context.CancellationToken);
    }
}

/// <summary>On the bridge's own queue: every bridge purges its own store.</summary>
public sealed class PurgeFinishedRunsConsumerDefinition : ConsumerDefinition<PurgeFinishedRunsConsumer>
{
    public PurgeFinishedRunsConsumerDefinition(IOptions<BridgeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        EndpointName = options.Value.Queue;
    }
}
