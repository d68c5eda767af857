using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting;
using SagaWorkflows.Hosting.Queues;

namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// Declares the bridge's queue with the topology its MassTransit endpoint would declare, before
/// the first lifecycle event is published: RabbitMQ drops what no queue is bound for, so without
/// this, events of runs that happen before a bridge first starts would never reach it.
/// </summary>
public sealed partial class BridgeQueueProvisioner(SagaWorkflowsBusOptions bus, OrchestratorOptions options, ILogger<BridgeQueueProvisioner> logger,
    SagaWorkflowsQueues? queues = null) : IHostedService
{
    private readonly SagaWorkflowsQueues _queues = queues ?? new SagaWorkflowsQueues(bus.QueueType);

    /// <summary>MassTransit's exchange for the lifecycle event type (namespace:type).</summary>
    public static readonly string EventExchange = $"{typeof(WorkflowLifecycleEvent).Namespace}:{nameof(WorkflowLifecycleEvent)}";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var queue = options.BridgeQueue;
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri(bus.RabbitMq), ClientProvidedName = "sagawf-orchestrator-provisioning" };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.ExchangeDeclareAsync(EventExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            // Of the bus's queue type: the bridge's endpoint redeclares it, and RabbitMQ refuses a different type.
            await _queues.DeclareAsync(channel, queue, cancellationToken);
            await channel.ExchangeBindAsync(queue, EventExchange, "", cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not fatal: a bridge that has started once has declared all of this itself.
            LogDeclareFailed(logger, ex, queue);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not declare the bridge queue {Queue}; events published before a bridge first starts will not reach it")]
    private static partial void LogDeclareFailed(ILogger logger, Exception exception, string queue);
}
