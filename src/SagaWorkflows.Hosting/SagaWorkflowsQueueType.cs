namespace SagaWorkflows.Hosting;

/// <summary>The RabbitMQ queue type of the durable queues a SagaWorkflows bus declares (<c>SagaWorkflows:Bus:QueueType</c>).</summary>
public enum SagaWorkflowsQueueType
{
    /// <summary>RabbitMQ's classic queues: the broker's default.</summary>
    Classic,

    /// <summary>
    /// Quorum queues (<c>x-queue-type: quorum</c>): replicated, durable, with poison-message handling, the type RabbitMQ
    /// recommends for data safety. A queue's type is fixed when it is first declared.
    /// </summary>
    Quorum,
}
