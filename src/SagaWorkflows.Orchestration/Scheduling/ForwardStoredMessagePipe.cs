using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using Quartz;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>
/// Turns the send of an empty <see cref="SerializedMessageBody"/> into the send of the stored body, with
/// the ids, addresses and headers the scheduler received restored.
/// </summary>
internal sealed class ForwardStoredMessagePipe(StoredMessage message, IJobExecutionContext job) : IPipe<SendContext>
{
    public Task Send(SendContext context)
    {
        var deserializer = context.Serialization.GetMessageDeserializer(message.ParsedContentType);
        var body = deserializer.GetMessageBody(message.Body);

        // A raw (envelope-less) body takes its ids from these headers; an envelope body carries its own.
        var serializerContext = deserializer.Deserialize(body, EnvelopeHeaders(), message.Destination);

        message.Envelope.ApplyTo(context);

        if (message.MessageTypes.Count > 0)
        {
            context.SupportedMessageTypes = [.. message.MessageTypes];
        }

        if (message.ExpirationTime is { } expiration)
        {
            context.TimeToLive = expiration - DateTime.UtcNow;
        }

        // What MassTransit's Quartz integration adds, so GetQuartzScheduled() tells how late it ran.
        context.Headers.Set(MessageHeaders.Quartz.Sent, job.FireTimeUtc);
        if (job.ScheduledFireTimeUtc is { } scheduled)
        {
            context.Headers.Set(MessageHeaders.Quartz.Scheduled, scheduled);
        }

        if (message.TransportProperties is { Count: > 0 } properties && context is TransportSendContext transportContext)
        {
            transportContext.ReadPropertiesFrom(properties);
        }

        context.Serializer = serializerContext.GetMessageSerializer();

        return Task.CompletedTask;
    }

    public void Probe(ProbeContext context) => context.CreateScope("forwardScheduledMessage");

    private DictionarySendHeaders EnvelopeHeaders()
    {
        var envelope = message.Envelope;
        var headers = new DictionarySendHeaders();
        foreach (var (name, value) in envelope.Headers)
        {
            headers.Set(name, value);
        }

        SetIfPresent(headers, MessageHeaders.MessageId, envelope.MessageId);
        SetIfPresent(headers, MessageHeaders.CorrelationId, envelope.CorrelationId);
        SetIfPresent(headers, MessageHeaders.ConversationId, envelope.ConversationId);
        SetIfPresent(headers, MessageHeaders.InitiatorId, envelope.InitiatorId);
        SetIfPresent(headers, MessageHeaders.RequestId, envelope.RequestId);
        SetIfPresent(headers, MessageHeaders.SourceAddress, envelope.SourceAddress);
        SetIfPresent(headers, MessageHeaders.ResponseAddress, envelope.ResponseAddress);
        SetIfPresent(headers, MessageHeaders.FaultAddress, envelope.FaultAddress);
        if (message.MessageTypes.Count > 0)
        {
            headers.Set(MessageHeaders.MessageType, string.Join(';', message.MessageTypes));
        }

        return headers;
    }

    private static void SetIfPresent(DictionarySendHeaders headers, string name, object? value)
    {
        if (value is not null)
        {
            headers.Set(name, value.ToString());
        }
    }
}
