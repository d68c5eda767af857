using System.Text;
using Microsoft.AspNetCore.Http;

namespace SagaWorkflows.Bridge.Streaming;

/// <summary>
/// Writes SSE comment lines (<c>: text</c>), which <see cref="System.Net.ServerSentEvents.SseItem{T}"/>
/// cannot express. Only call it from the stream's own enumerator: the formatter writes each item whole
/// before asking for the next, so between items the response body is at an event boundary.
/// </summary>
public sealed class SseCommentWriter(HttpResponse response)
{
    public async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = ": " + text.ReplaceLineEndings(" ") + "\n\n";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
