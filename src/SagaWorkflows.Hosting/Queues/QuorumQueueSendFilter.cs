using MassTransit;

namespace SagaWorkflows.Hosting.Queues;

/// <summary>
/// On a quorum bus, product queues are addressed by their exchange (<see cref="SagaWorkflowsQueues.Address"/>), which
/// alone would drop a message sent before the queue's consumer first declared it (a command for a tool whose worker has
/// not started yet). This filter declares the product queue, as a quorum queue bound to its exchange, before the first
/// send to it from this process.
/// </summary>
internal sealed class QuorumQueueSendFilter(QuorumQueueDeclarer declarer) : IFilter<SendContext>
{
    public async Task Send(SendContext context, IPipe<SendContext> next)
    {
        if (context is RabbitMqSendContext { Exchange: { } exchange } && SagaWorkflowsQueues.IsProductQueue(exchange))
        {
            await declarer.EnsureAsync(exchange, context.CancellationToken).ConfigureAwait(false);
        }

        await next.Send(context).ConfigureAwait(false);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("sagawfQuorumQueues");
}
