namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>Settings of <see cref="OutboxRelay{TContext}"/>.</summary>
public sealed class SagaOutboxOptions
{
    /// <summary>How often the relay looks for undelivered outbox rows.</summary>
    public TimeSpan RelayInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Only rows older than this are relayed. Younger rows probably belong to a consume that is delivering them right
    /// now; relaying those too would only add duplicates.
    /// </summary>
    public TimeSpan RelayAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rows read per query; the relay keeps reading batches while they are full and all delivered.</summary>
    public int RelayBatchSize { get; set; } = 100;
}
