using MassTransit;
using SagaWorkflows.Bridge.Api;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Consumers;

/// <summary>Hands the orchestrator's refusals of redrives to the <c>POST /runs/{runId}/redrive</c> calls waiting for them.</summary>
public sealed class RedriveRejectedConsumer(RedriveRejections rejections) : IConsumer<RedriveRejected>
{
    public Task Consume(ConsumeContext<RedriveRejected> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        rejections.Add(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>Shares the bridge's queue with the lifecycle events: one queue per bridge, so every bridge hears every refusal.</summary>
public sealed class RedriveRejectedConsumerDefinition : ConsumerDefinition<RedriveRejectedConsumer>
{
    public RedriveRejectedConsumerDefinition(Microsoft.Extensions.Options.IOptions<BridgeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        EndpointName = options.Value.Queue;
    }
}
