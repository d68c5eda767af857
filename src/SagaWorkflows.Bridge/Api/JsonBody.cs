using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// Reads a request body as JSON by hand, so malformed input is answered with a 400 that says what is
/// wrong and where (the parser's message carries line and byte position).
/// </summary>
public static class JsonBody
{
    /// <returns>The parsed body (null when empty and <paramref name="required"/> is false), or a problem.</returns>
    public static async Task<(JsonDocument? Document, string? Problem)> ReadAsync(HttpRequest request, bool required,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return required ? (null, "The request body is empty; it must be a JSON document.") : (null, null);
        }

        try
        {
            return (JsonDocument.Parse(bytes), null);
        }
        catch (JsonException ex)
        {
            return (null, "The request body is not valid JSON: " + ex.Message);
        }
    }
}
