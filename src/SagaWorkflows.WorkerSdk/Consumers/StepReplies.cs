using MassTransit;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.WorkerSdk.Consumers;

internal static class StepReplies
{
    private static readonly Uri Runs = new("queue:" + QueueNames.WorkflowRuns);

    /// <summary>Replies go to the runs' queue: the saga is the only party waiting for them.</summary>
    public static async Task Send<T>(ConsumeContext context, T reply) where T : class
    {
        var endpoint = await context.GetSendEndpoint(context.ResponseAddress ?? Runs);
        await endpoint.Send(reply, context.CancellationToken);
    }

    /// <summary>A reply kept as object (a repeated one) still goes out as its own message type.</summary>
    public static async Task SendAgain(ConsumeContext context, object reply)
    {
        var endpoint = await context.GetSendEndpoint(context.ResponseAddress ?? Runs);
        await endpoint.Send(reply, reply.GetType(), context.CancellationToken);
    }
}
