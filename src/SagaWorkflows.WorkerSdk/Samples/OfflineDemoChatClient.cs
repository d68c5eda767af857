using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace SagaWorkflows.WorkerSdk.Samples;

/// <summary>
/// NOT A LANGUAGE MODEL: an offline, deterministic stand-in so the demo and tests run with no
/// provider. It answers with JSON shaped by the requested schema (strings quote the prompt), or
/// with a fixed sentence when no schema is requested. Streamed, the same answer comes a word at a
/// time, <paramref name="wordDelay"/> apart (on <paramref name="time"/>), as a real model's tokens would.
/// Register a real <see cref="IChatClient"/> (OpenAI-compatible, Ollama) for real answers.
/// </summary>
/// <param name="wordDelay">Between two streamed words; 40 ms when null.</param>
/// <param name="time">The clock of those delays; the system's when null.</param>
public sealed class OfflineDemoChatClient(TimeSpan? wordDelay = null, TimeProvider? time = null) : IChatClient
{
    public const string Prefix = "[offline demo model]";

    private readonly TimeSpan _wordDelay = wordDelay ?? TimeSpan.FromMilliseconds(40);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer(messages, options))) { ModelId = "offline-demo" });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var answer = Answer(messages, options);
        var responseId = Guid.NewGuid().ToString("N");
        var first = true;
        foreach (var word in Words(answer))
        {
            if (!first && _wordDelay > TimeSpan.Zero)
            {
                await Task.Delay(_wordDelay, _time, cancellationToken);
            }

            first = false;
            yield return new ChatResponseUpdate(ChatRole.Assistant, word) { ResponseId = responseId, ModelId = "offline-demo" };
        }
    }

    /// <summary>Each word with the spaces after it, so the words concatenated are the text.</summary>
    internal static IEnumerable<string> Words(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || (text[i] != ' ' && text[i - 1] == ' '))
            {
                yield return text[start..i];
                start = i;
            }
        }
    }

    private static string Answer(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var prompt = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        return options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema }
            ? Sample(JsonNode.Parse(schema.GetRawText()), prompt)?.ToJsonString() ?? "null"
            : $"{Prefix} {prompt}";
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
