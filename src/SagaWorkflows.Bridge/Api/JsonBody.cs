using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// Reads a request body as JSON by hand, so malformed input is answered with a 4xx that says what is
/// wrong and where (the parser's message carries line and byte position). Only <c>application/json</c>
/// (or a <c>+json</c> type) is read: a browser form cannot send it without a CORS preflight, so a web
/// page cannot drive a local bridge (CSRF). The body is bounded, must be UTF-8, and may not name a
/// property twice.
/// </summary>
public static class JsonBody
{
    /// <returns>The parsed body (null when empty and <paramref name="required"/> is false), or the problem to answer with.</returns>
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, bool required,
        long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        if (!IsJson(request.ContentType))
        {
            return (null, Problems.UnsupportedMediaType(request.ContentType));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, Problems.TooLarge(maxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, Problems.TooLarge(maxBytes));
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return required ? (null, Problems.BadRequest("Malformed JSON", "The request body is empty; it must be a JSON document.")) : (null, null);
        }

        if (!Utf8.IsValid(bytes.Span))
        {
            return (null, Problems.BadRequest("Malformed JSON", $"The request body is not valid UTF-8 (first invalid byte at offset {FirstInvalidByte(bytes.Span)})."));
        }

        try
        {
            return (JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false }), null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest("Malformed JSON", "The request body is not valid JSON: " + ex.Message));
        }
    }

    /// <summary>
    /// Required even for an empty body: a cross-site <c>fetch</c> in <c>no-cors</c> mode may POST without one,
    /// and an empty body is all a cancel needs.
    /// </summary>
    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType.Value is not { } type)
        {
            return false;
        }

        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        for (var length = bytes.Length; length > 0; length /= 2)
        {
            // Shrinks to a valid prefix; exact enough to point a developer at the spot.
            if (Utf8.IsValid(bytes[..length]))
            {
                var start = length;
                while (start < bytes.Length && Utf8.IsValid(bytes[..(start + 1)]))
                {
                    start++;
                }

                return start;
            }
        }

        return 0;
    }
}
