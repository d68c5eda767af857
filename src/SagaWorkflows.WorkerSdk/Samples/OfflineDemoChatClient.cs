using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace SagaWorkflows.WorkerSdk.Samples;

/// <summary>
/// NOT A LANGUAGE MODEL: an offline, deterministic stand-in so the demo and tests run with no
/// provider. It answers with JSON shaped by the requested schema (strings quote the prompt), or
/// with a fixed sentence when no schema is requested. Register a real <see cref="IChatClient"/>
/// (OpenAI-compatible, Ollama) for real answers.
/// </summary>
public sealed class OfflineDemoChatClient : IChatClient
{
    public const string Prefix = "[offline demo model]";

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var text = options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema }
            ? Sample(JsonNode.Parse(schema.GetRawText()), prompt)?.ToJsonString() ?? "null"
            : $"{Prefix} {prompt}";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = "offline-demo" });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static JsonNode? Sample(JsonNode? schema, string prompt)
    {
        var type = schema?["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
        var isObject = type == "object" || (type is null && schema?["properties"] is JsonObject);
        if (isObject)
        {
            var result = new JsonObject();
            var properties = schema?["properties"] as JsonObject;
            var names = new List<string>();
            if (properties is not null)
            {
                names.AddRange(properties.Select(p => p.Key));
            }

            if (schema?["required"] is JsonArray required)
            {
                names.AddRange(required.Select(r => r!.GetValue<string>()).Where(r => !names.Contains(r)));
            }

            foreach (var name in names)
            {
                result[name] = Sample(properties?[name] ?? new JsonObject { ["type"] = "string" }, prompt);
            }

            return result;
        }

        switch (type)
        {
            case "array":
                return new JsonArray(Sample(schema?["items"], prompt));
            case "integer" or "number":
                return 0;
            case "boolean":
                return true;
            default:
                return $"{Prefix} {prompt}";
        }
    }
}
