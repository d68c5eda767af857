using System.Text.Json;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>Turns a header value read back from JSON into the CLR value it was written from.</summary>
internal static class HeaderValue
{
    /// <remarks>
    /// Primitives come back as primitives because the RabbitMQ transport only copies strings and value
    /// types into AMQP headers, silently dropping a <see cref="JsonElement"/>; MassTransit's own header
    /// readers convert numbers and strings to whatever type they ask for.
    /// </remarks>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number when element.TryGetInt32(out var number) => number,
        JsonValueKind.Number when element.TryGetInt64(out var number) => number,
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => element.Clone(),
    };
}
