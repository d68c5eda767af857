using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace SagaWorkflows.Bridge.Streaming;

/// <summary>
/// Where a stream resumes: the <c>Last-Event-ID</c> header a reconnecting EventSource sends, else
/// <c>?after=N</c>. The header wins because a browser reconnects to the original URL, query included.
/// </summary>
public static class StreamCursor
{
    public const string LastEventIdHeader = "Last-Event-ID";

    /// <returns>False with a message naming the bad value.</returns>
    public static bool TryRead(HttpRequest request, out long? after, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        after = null;
        problem = null;

        string? raw = request.Headers[LastEventIdHeader];
        var source = LastEventIdHeader + " header";
        if (string.IsNullOrWhiteSpace(raw))
        {
            raw = request.Query["after"];
            source = "'after' query parameter";
        }

        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }

        if (!long.TryParse(raw.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            problem = $"The {source} must be a non-negative integer (an event id this bridge sent), not '{raw}'.";
            return false;
        }

        after = value;
        return true;
    }
}
