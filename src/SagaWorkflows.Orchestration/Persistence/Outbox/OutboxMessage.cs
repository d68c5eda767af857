using MassTransit;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// A row of the transactional outbox (table <c>OutboxMessages</c>, mapped by
/// <see cref="SagaStoreModelBuilderExtensions.AddSagaOutbox"/>). It exists from the commit of the transition that
/// produced the message until the message has been handed to the bus.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Also used as the MessageId of every delivery, so consumers can recognise a redelivery.</summary>
    public Guid Id { get; set; }

    public Guid SagaCorrelationId { get; set; }

    /// <summary>UTC. All messages of one transition share it.</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>Position within the transition; keeps the order when <see cref="CreatedAt"/> ties.</summary>
    public int Sequence { get; set; }

    /// <summary>Null to publish, otherwise the send address.</summary>
    public string? Destination { get; set; }

    /// <summary>Type name (namespace-qualified, with assembly name) the message is published or sent as.</summary>
    public string MessageType { get; set; } = "";

    /// <summary>The message as JSON (MassTransit's System.Text.Json options).</summary>
    public string Body { get; set; } = "";

    /// <summary>
    /// UTC; null when the message does not expire. Delivered with the time left as its TimeToLive; past it, the row
    /// is dropped instead of delivered (see <see cref="OutboxItem.TimeToLive"/>).
    /// </summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>UTC; a send not to arrive before then, delivered through the message scheduler (see <see cref="OutboxItem.DueAt"/>).</summary>
    public DateTime? DueAt { get; set; }

    /// <summary>
    /// Builds a row for <paramref name="item"/>; add it to a DbContext together with other changes to emit a
    /// message transactionally. <see cref="OutboxRelay{TContext}"/> delivers it once it is older than
    /// <see cref="SagaOutboxOptions.RelayAge"/>.
    /// </summary>
    public static OutboxMessage Create(Guid sagaCorrelationId, OutboxItem item, DateTime createdAtUtc, int sequence = 0)
    {
        ArgumentNullException.ThrowIfNull(item);

        return new OutboxMessage
        {
            Id = NewId.NextGuid(),
            SagaCorrelationId = sagaCorrelationId,
            CreatedAt = DateTime.SpecifyKind(createdAtUtc, DateTimeKind.Utc),
            Sequence = sequence,
            Destination = item.Destination?.OriginalString,
            MessageType = OutboxSerializer.GetTypeName(item.MessageType),
            Body = OutboxSerializer.Serialize(item.Message),
            DueAt = item.DueAt is { } due ? DateTime.SpecifyKind(due, DateTimeKind.Utc) : null,
            ExpiresAt = item.TimeToLive is { } timeToLive ? DateTime.SpecifyKind(createdAtUtc, DateTimeKind.Utc) + timeToLive : null,
        };
    }
}
