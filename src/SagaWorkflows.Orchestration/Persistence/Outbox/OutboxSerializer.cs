using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit.Serialization;

namespace SagaWorkflows.Orchestration.Persistence;

internal static class OutboxSerializer
{
    // MassTransit's options carry its converters (interfaces, message data, decimals as strings), so what the bus can
    // carry, the outbox can store; indentation is dropped because nobody reads the rows.
    private static readonly Lazy<JsonSerializerOptions> LazyOptions =
        new(() => new JsonSerializerOptions(SystemTextJsonMessageSerializer.Options) { WriteIndented = false });

    private static readonly ConcurrentDictionary<string, Type?> TypesByName = new(StringComparer.Ordinal);

    public static JsonSerializerOptions Options => LazyOptions.Value;

    public static string Serialize(object message)
    {
        ArgumentNullException.ThrowIfNull(message);

        // The runtime type, not the declared one: a record published as an interface must keep all its properties.
        return JsonSerializer.Serialize(message, message.GetType(), Options);
    }

    public static object Deserialize(string body, Type messageType)
    {
        return JsonSerializer.Deserialize(body, messageType, Options)
            ?? throw new JsonException($"The outbox body deserialized to null as {messageType.FullName}.");
    }

    // Without version, culture and key so that a row written before an upgrade still resolves afterwards.
    public static string GetTypeName(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);

        if (type.FullName is null)
        {
            throw new ArgumentException($"The message type {type} has no full name (open generic?).", nameof(type));
        }

        return $"{type.FullName}, {type.Assembly.GetName().Name}";
    }

    public static Type? ResolveType(string typeName)
    {
        return TypesByName.GetOrAdd(typeName, static name => Type.GetType(name, throwOnError: false));
    }

    /// <summary>The message as the bus needs it: the original if it already has the type, else its JSON round trip.</summary>
    public static object ToDeliverable(OutboxItem item, OutboxMessage row)
    {
        return item.MessageType.IsInstanceOfType(item.Message) ? item.Message : Deserialize(row.Body, item.MessageType);
    }
}
