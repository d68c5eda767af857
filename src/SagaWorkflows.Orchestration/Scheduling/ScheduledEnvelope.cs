using MassTransit;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>
/// The ids, addresses and headers a message was scheduled with, set again on the send that delivers it when it falls
/// due, so its receiver sees it as its sender sent it. One implementation for every scheduler: the orchestrator's durable
/// one (<see cref="ScheduledMessageJob"/>) and the test kit's in-memory one.
/// </summary>
public sealed record ScheduledEnvelope
{
    public Guid? MessageId { get; init; }
    public Guid? CorrelationId { get; init; }
    public Guid? ConversationId { get; init; }
    public Guid? InitiatorId { get; init; }
    public Guid? RequestId { get; init; }
    public Uri? SourceAddress { get; init; }
    public Uri? ResponseAddress { get; init; }
    public Uri? FaultAddress { get; init; }

    /// <summary>The schedule's token, delivered as <see cref="MessageHeaders.SchedulingTokenId"/>.</summary>
    public Guid? TokenId { get; init; }

    /// <summary>All of them: MT-Redelivery-Count among others, without which redelivery never stops counting from zero.</summary>
    public IReadOnlyDictionary<string, object> Headers { get; init; } = new Dictionary<string, object>();

    /// <summary>What a scheduler's caller set on the send it asked for, to be delivered under <paramref name="tokenId"/>.</summary>
    /// <remarks>The test kit's capture; <see cref="StoredMessage.From"/> reads the same fields from a consume context (no shared interface).</remarks>
    public static ScheduledEnvelope From(SendContext context, Guid tokenId)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ScheduledEnvelope
        {
            MessageId = context.MessageId,
            CorrelationId = context.CorrelationId,
            ConversationId = context.ConversationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            TokenId = tokenId,
            Headers = context.Headers.GetAll().ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase),
        };
    }

    /// <summary>Sets the ids, addresses and headers, and then the scheduling token, on the send that delivers the message.</summary>
    public void ApplyTo(SendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (MessageId.HasValue)
        {
            context.MessageId = MessageId;
        }

        context.RequestId = RequestId;
        context.CorrelationId = CorrelationId;
        context.ConversationId = ConversationId;
        context.InitiatorId = InitiatorId;
        context.SourceAddress = SourceAddress;
        context.ResponseAddress = ResponseAddress;
        context.FaultAddress = FaultAddress;

        foreach (var (name, value) in Headers)
        {
            context.Headers.Set(name, value);
        }

        // What MassTransit's Quartz integration adds, so GetSchedulingTokenId() lets a saga ignore a message from a
        // schedule it has since replaced.
        if (TokenId is { } tokenId)
        {
            context.Headers.Set(MessageHeaders.SchedulingTokenId, tokenId.ToString("D"));
        }
    }
}
