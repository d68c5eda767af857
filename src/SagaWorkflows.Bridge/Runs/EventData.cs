using System.Text.Json;

namespace SagaWorkflows.Bridge.Runs;

/// <summary>
/// Reads the result out of an event's <c>data</c>. The orchestrator wraps it (<c>{ "output": ... }</c>,
/// <c>{ "error": { "type", "message" } }</c>) next to other details; a snapshot shows just the result,
/// and takes <c>data</c> as it is when it carries no such wrapper.
/// </summary>
public static class EventData
{
    public static JsonElement? Output(JsonElement? data) => Unwrap(data, "output");

    public static JsonElement? Error(JsonElement? data) => Unwrap(data, "error");

    private static JsonElement? Unwrap(JsonElement? data, string property) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(property, out var inner) ? inner : data;
}
