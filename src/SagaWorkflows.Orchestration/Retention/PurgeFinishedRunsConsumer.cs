using MassTransit;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Retention;

/// <summary><c>sagawf purge</c>: deletes the finished runs the command names from the workflow store, now.</summary>
public sealed class PurgeFinishedRunsConsumer(RunRetention retention) : IConsumer<PurgeFinishedRuns>
{
    public Task Consume(ConsumeContext<PurgeFinishedRuns> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var olderThan = context.Message.OlderThan < TimeSpan.Zero ? TimeSpan.Zero : context.Message.OlderThan;
        return retention.PurgeAsync(olderThan, context.CancellationToken);
    }
}

/// <summary>On a queue of its own, shared by the orchestrators of one store: one of them purges.</summary>
public sealed class PurgeFinishedRunsConsumerDefinition : ConsumerDefinition<PurgeFinishedRunsConsumer>
{
    public const string Queue = "sagawf-orchestrator-purge";

    public PurgeFinishedRunsConsumerDefinition()
    {
        EndpointName = Queue;
        ConcurrentMessageLimit = 1;
    }
}
