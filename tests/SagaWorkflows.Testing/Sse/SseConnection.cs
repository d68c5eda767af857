using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace SagaWorkflows.Testing;

/// <summary>
/// The one SSE reader of the tests: reads a <c>text/event-stream</c> response as it arrives, keeping everything
/// received (<see cref="Raw"/>) so tests assert on what actually went over the wire, not on a parser's
/// interpretation of it. See README.md beside this file for why it is not <c>System.Net.ServerSentEvents.SseParser</c>.
/// </summary>
public sealed class SseConnection : IAsyncDisposable
{
    private readonly HttpResponseMessage? _response;
    private readonly Stream _body;
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _raw = new();
    private readonly StringBuilder _pending = new();
    private readonly byte[] _buffer = new byte[8192];
    private readonly char[] _chars = new char[8192];
    private bool _ended;

    /// <summary>How long a read waits for the next frame unless told otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private SseConnection(HttpResponseMessage? response, Stream body)
    {
        _response = response;
        _body = body;
    }

    public HttpStatusCode StatusCode => Response.StatusCode;
    public HttpResponseHeaders Headers => Response.Headers;
    public string? ContentType => Response.Content.Headers.ContentType?.MediaType;
    public string Raw => _raw.ToString();

    private HttpResponseMessage Response => _response ?? throw new InvalidOperationException("This stream was not read from an HTTP response.");

    /// <summary>
    /// Sends <c>GET <paramref name="path"/></c> accepting an event stream, and waits up to <paramref name="timeout"/>
    /// (<see cref="DefaultTimeout"/> when null) for the answer's headers; the status is not checked (see <see cref="StatusCode"/>).
    /// </summary>
    public static async Task<SseConnection> OpenAsync(HttpClient client, string path, string? lastEventId = null, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancel.CancelAfter(timeout ?? DefaultTimeout);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        try
        {
            return new SseConnection(response, await response.Content.ReadAsStreamAsync(cancel.Token));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Reads an event stream that is not an HTTP response (a reader's own tests).</summary>
    public static SseConnection FromStream(Stream body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new SseConnection(null, body);
    }

    /// <summary>The next frame (comment-only frames included), or null when the server closed the stream.</summary>
    public async Task<SseFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var lines = new List<string>();
        try
        {
            while (true)
            {
                var line = await ReadLineAsync(cts.Token);
                if (line is null)
                {
                    return lines.Count > 0 ? new SseFrame(lines) : null;
                }

                if (line.Length == 0)
                {
                    if (lines.Count > 0)
                    {
                        return new SseFrame(lines);
                    }

                    continue;
                }

                lines.Add(line);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No complete SSE frame within the timeout. Received so far:\n{Raw}");
        }
    }

    /// <summary>The next frame that is an event (skipping heartbeat and other comments), or null at the end.</summary>
    public async Task<SseFrame?> ReadEventAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(timeout);
            if (frame is null || !frame.IsComment)
            {
                return frame;
            }
        }
    }

    /// <summary>Events up to the server closing the stream.</summary>
    public async Task<List<SseFrame>> ReadToEndAsync(TimeSpan? timeout = null)
    {
        var frames = new List<SseFrame>();
        while (await ReadEventAsync(timeout) is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>Events up to the first that is <paramref name="last"/> (included), or up to the end of the stream.</summary>
    public async Task<List<SseFrame>> ReadUntilAsync(Func<SseFrame, bool> last, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(last);
        var frames = new List<SseFrame>();
        while (await ReadEventAsync(timeout) is { } frame)
        {
            frames.Add(frame);
            if (last(frame))
            {
                break;
            }
        }

        return frames;
    }

    /// <summary>Exactly <paramref name="count"/> events; fails if the stream ends first.</summary>
    public async Task<List<SseFrame>> ReadEventsAsync(int count, TimeSpan? timeout = null)
    {
        var frames = new List<SseFrame>();
        while (frames.Count < count)
        {
            var frame = await ReadEventAsync(timeout)
                ?? throw new InvalidOperationException($"The stream ended after {frames.Count} of {count} events:\n{Raw}");
            frames.Add(frame);
        }

        return frames;
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            for (var i = 0; i < _pending.Length; i++)
            {
                if (_pending[i] == '\n')
                {
                    var line = _pending.ToString(0, i).TrimEnd('\r');
                    _pending.Remove(0, i + 1);
                    return line;
                }
            }

            if (_ended)
            {
                return null;
            }

            var read = await _body.ReadAsync(_buffer, cancellationToken);
            if (read == 0)
            {
                _ended = true;
                continue;
            }

            var charCount = _decoder.GetChars(_buffer, 0, read, _chars, 0);
            _raw.Append(_chars, 0, charCount);
            _pending.Append(_chars, 0, charCount);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync();
        _response?.Dispose();
    }
}
