using MassTransit;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting.Queues;

namespace SagaWorkflows.WorkerSdk.Consumers;

internal static class StepReplies
{
    /// <summary>The runs' queue as the bus of <paramref name="services"/> addresses it (classic or quorum).</summary>
    public static Uri RunsAddress(IServiceProvider? services) =>
        (services is null ? SagaWorkflowsQueues.Classic : SagaWorkflowsQueues.From(services)).Address(QueueNames.WorkflowRuns);

    /// <summary>Replies go to the runs' queue (<paramref name="runs"/>): the saga is the only party waiting for them.</summary>
    public static async Task SendAsync<T>(ConsumeContext context, T reply, Uri runs) where T : class
    {
        var endpoint = await context.GetSendEndpoint(context.ResponseAddress ?? runs);
        await endpoint.Send(reply, context.CancellationToken);
    }

    /// <summary>A reply kept as object (a repeated one) still goes out as its own message type.</summary>
    public static async Task SendAgainAsync(ConsumeContext context, object reply, Uri runs)
    {
        var endpoint = await context.GetSendEndpoint(context.ResponseAddress ?? runs);
        await endpoint.Send(reply, reply.GetType(), context.CancellationToken);
    }
}
