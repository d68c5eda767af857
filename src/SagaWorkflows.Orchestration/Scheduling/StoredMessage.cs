using System.Globalization;
using System.Net.Mime;
using System.Text.Json;
using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using MassTransit.Serialization;
using Quartz;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>
/// Everything needed to send a scheduled message later exactly as its scheduler asked: the serialized
/// payload and every id, address and header of the <see cref="ScheduleMessage"/> envelope.
/// </summary>
/// <remarks>
/// Kept as plain strings in the trigger's job data so the persisted form does not depend on how the
/// store serializes objects, and so one node can read what another wrote.
/// </remarks>
internal sealed record StoredMessage
{
    private const string DestinationKey = "Destination";
    private const string BodyKey = "Body";
    private const string ContentTypeKey = "ContentType";
    private const string MessageTypeKey = "MessageType";
    private const string MessageIdKey = "MessageId";
    private const string CorrelationIdKey = "CorrelationId";
    private const string ConversationIdKey = "ConversationId";
    private const string InitiatorIdKey = "InitiatorId";
    private const string RequestIdKey = "RequestId";
    private const string SourceAddressKey = "SourceAddress";
    private const string ResponseAddressKey = "ResponseAddress";
    private const string FaultAddressKey = "FaultAddress";
    private const string ExpirationTimeKey = "ExpirationTime";
    private const string TokenIdKey = "TokenId";
    private const string HeadersKey = "HeadersAsJson";
    private const string TransportPropertiesKey = "TransportProperties";

    public required Uri Destination { get; init; }
    public required string Body { get; init; }
    public required string ContentType { get; init; }
    public IReadOnlyList<string> MessageTypes { get; init; } = [];
    public ScheduledEnvelope Envelope { get; init; } = new();
    public DateTime? ExpirationTime { get; init; }
    public IReadOnlyDictionary<string, object>? TransportProperties { get; init; }

    public ContentType ParsedContentType => new(ContentType);

    /// <summary>Captures a received <see cref="ScheduleMessage"/>, serializing its payload as the sender's serializer would.</summary>
    public static StoredMessage From(ConsumeContext<ScheduleMessage> context)
    {
        var command = context.Message;

        // The payload arrives deserialized as a bare element; re-wrapping it through the received
        // serializer context yields a body in the sender's format, carrying the payload's message types.
        var body = context.SerializerContext
            .GetMessageSerializer(command.Payload, command.PayloadType)
            .GetMessageBody(new MessageSendContext<ScheduleMessage>(command, context.CancellationToken))
            .GetString();

        IDictionary<string, object>? transportProperties = null;
        if (context.ReceiveContext.TryGetPayload<TransportReceiveContext>(out var transportContext))
        {
            transportProperties = transportContext.GetTransportProperties();
        }

        return new StoredMessage
        {
            Destination = command.Destination,
            Body = body,
            ContentType = (context.ReceiveContext.ContentType ?? SystemTextJsonMessageSerializer.JsonContentType).ToString(),
            MessageTypes = command.PayloadType ?? [],
            Envelope = new ScheduledEnvelope
            {
                MessageId = context.MessageId,
                CorrelationId = context.CorrelationId,
                ConversationId = context.ConversationId,
                InitiatorId = context.InitiatorId,
                RequestId = context.RequestId,
                SourceAddress = context.SourceAddress,
                ResponseAddress = context.ResponseAddress,
                FaultAddress = context.FaultAddress,
                TokenId = command.CorrelationId,
                Headers = context.Headers.GetAll().ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase),
            },
            ExpirationTime = context.ExpirationTime,
            TransportProperties = transportProperties?.ToDictionary(p => p.Key, p => p.Value),
        };
    }

    public JobDataMap ToJobData()
    {
        var data = new JobDataMap
        {
            [DestinationKey] = Destination.ToString(),
            [BodyKey] = Body,
            [ContentTypeKey] = ContentType,
            [MessageTypeKey] = string.Join(';', MessageTypes),
        };

        PutId(data, MessageIdKey, Envelope.MessageId);
        PutId(data, CorrelationIdKey, Envelope.CorrelationId);
        PutId(data, ConversationIdKey, Envelope.ConversationId);
        PutId(data, InitiatorIdKey, Envelope.InitiatorId);
        PutId(data, RequestIdKey, Envelope.RequestId);
        PutId(data, TokenIdKey, Envelope.TokenId);
        PutAddress(data, SourceAddressKey, Envelope.SourceAddress);
        PutAddress(data, ResponseAddressKey, Envelope.ResponseAddress);
        PutAddress(data, FaultAddressKey, Envelope.FaultAddress);

        if (ExpirationTime is { } expiration)
        {
            data[ExpirationTimeKey] = expiration.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        }

        if (Envelope.Headers.Count > 0)
        {
            data[HeadersKey] = JsonSerializer.Serialize(Envelope.Headers, SystemTextJsonMessageSerializer.Options);
        }

        if (TransportProperties is { Count: > 0 })
        {
            data[TransportPropertiesKey] = JsonSerializer.Serialize(TransportProperties, SystemTextJsonMessageSerializer.Options);
        }

        return data;
    }

    public static StoredMessage FromJobData(JobDataMap data) => new()
    {
        Destination = new Uri(Required(data, DestinationKey)),
        Body = Required(data, BodyKey),
        ContentType = Optional(data, ContentTypeKey) ?? SystemTextJsonMessageSerializer.JsonContentType.ToString(),
        MessageTypes = Optional(data, MessageTypeKey)?.Split(';', StringSplitOptions.RemoveEmptyEntries) ?? [],
        Envelope = new ScheduledEnvelope
        {
            MessageId = ReadId(data, MessageIdKey),
            CorrelationId = ReadId(data, CorrelationIdKey),
            ConversationId = ReadId(data, ConversationIdKey),
            InitiatorId = ReadId(data, InitiatorIdKey),
            RequestId = ReadId(data, RequestIdKey),
            TokenId = ReadId(data, TokenIdKey),
            SourceAddress = ReadAddress(data, SourceAddressKey),
            ResponseAddress = ReadAddress(data, ResponseAddressKey),
            FaultAddress = ReadAddress(data, FaultAddressKey),
            Headers = ReadValues(data, HeadersKey) ?? new Dictionary<string, object>(),
        },
        ExpirationTime = Optional(data, ExpirationTimeKey) is { } expiration
            ? DateTime.Parse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : null,
        TransportProperties = ReadValues(data, TransportPropertiesKey),
    };

    private static void PutId(JobDataMap data, string key, Guid? id)
    {
        if (id is { } value)
        {
            data[key] = value.ToString("D");
        }
    }

    private static void PutAddress(JobDataMap data, string key, Uri? address)
    {
        if (address is not null)
        {
            data[key] = address.ToString();
        }
    }

    private static string Required(JobDataMap data, string key) =>
        Optional(data, key) ?? throw new InvalidOperationException($"The scheduled message's job data has no '{key}'.");

    private static string? Optional(JobDataMap data, string key)
    {
        if (!data.TryGetValue(key, out var value))
        {
            return null;
        }

        var text = Convert.ToString(value, CultureInfo.InvariantCulture);
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    private static Guid? ReadId(JobDataMap data, string key) =>
        Optional(data, key) is { } text ? Guid.Parse(text) : null;

    private static Uri? ReadAddress(JobDataMap data, string key) =>
        Optional(data, key) is { } text ? new Uri(text) : null;

    private static Dictionary<string, object>? ReadValues(JobDataMap data, string key)
    {
        if (Optional(data, key) is not { } json)
        {
            return null;
        }

        var elements = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json, SystemTextJsonMessageSerializer.Options) ?? [];
        var values = new Dictionary<string, object>(elements.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, element) in elements)
        {
            if (HeaderValue.FromJson(element) is { } value)
            {
                values[name] = value;
            }
        }

        return values;
    }
}
