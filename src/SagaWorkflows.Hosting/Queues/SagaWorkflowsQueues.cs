using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace SagaWorkflows.Hosting.Queues;

/// <summary>
/// How the queues SagaWorkflows owns are addressed and declared on the configured queue type
/// (<see cref="SagaWorkflowsBusOptions.QueueType"/>). Every sender of a product queue (the saga's commands, the
/// workers' replies, the compensation slip, the scheduler clients) takes its address from here.
/// </summary>
public sealed class SagaWorkflowsQueues
{
    /// <summary>What every product queue's name starts with (<see cref="Contracts.QueueNames"/>).</summary>
    public const string ProductQueuePrefix = "sagawf-";

    /// <summary>Classic queues, addressed <c>queue:name</c>: the default, and all there is on the in-memory transport.</summary>
    public static SagaWorkflowsQueues Classic { get; } = new(SagaWorkflowsQueueType.Classic);

    private readonly Dictionary<string, object?> _arguments;

    public SagaWorkflowsQueues(SagaWorkflowsQueueType type)
    {
        Type = type;
        _arguments = type == SagaWorkflowsQueueType.Quorum ? new() { [RabbitMQ.Client.Headers.XQueueType] = "quorum" } : [];
    }

    public SagaWorkflowsQueueType Type { get; }

    public bool IsQuorum => Type == SagaWorkflowsQueueType.Quorum;

    /// <summary>The queue arguments a product queue is declared with (<c>x-queue-type</c> for quorum queues).</summary>
    public IReadOnlyDictionary<string, object?> Arguments => _arguments;

    /// <summary>The queues of the bus in <paramref name="services"/>, classic when SagaWorkflows is not on it.</summary>
    public static SagaWorkflowsQueues From(IServiceProvider services) =>
        services?.GetService<SagaWorkflowsQueues>() ?? Classic;

    /// <summary>
    /// Where to send to product queue <paramref name="queue"/>. Classic: <c>queue:name</c>, whose first send declares
    /// the queue when it is missing, so a command for a tool no worker hosts yet waits in it. Quorum: <c>exchange:name</c>,
    /// because MassTransit's <c>queue:</c> address redeclares the queue without <c>x-queue-type</c>, which RabbitMQ
    /// refuses for a quorum queue (PRECONDITION_FAILED); the queue is declared, as a quorum queue, before the first
    /// send to it instead (<see cref="QuorumQueueSendFilter"/>).
    /// </summary>
    public Uri Address(string queue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        return new Uri((IsQuorum ? "exchange:" : "queue:") + queue);
    }

    /// <summary>Whether <paramref name="name"/> is one of the product's durable queues (not an error or skipped queue).</summary>
    public static bool IsProductQueue(string name) =>
        name.StartsWith(ProductQueuePrefix, StringComparison.Ordinal)
        && !name.EndsWith("_error", StringComparison.Ordinal)
        && !name.EndsWith("_skipped", StringComparison.Ordinal);

    /// <summary>
    /// Declares <paramref name="queue"/> exactly as a MassTransit receive endpoint of this bus would: a durable fanout
    /// exchange of the same name bound to a durable queue with <see cref="Arguments"/>. Idempotent.
    /// </summary>
    public async Task DeclareAsync(IChannel channel, string queue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>(_arguments),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(queue, queue, "", cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
