using Microsoft.AspNetCore.Http;

namespace SagaWorkflows.Bridge.Streaming;

/// <summary>
/// Bounds the event streams one client holds open, so a single client cannot take every stream of the bridge
/// (<see cref="BridgeOptions.MaxConcurrentStreams"/>) and lock everyone else out. A client is its
/// authenticated identity (an API key, a JWT subject), else its IP address.
/// </summary>
public sealed class ClientStreamLimiter(int maxPerClient)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    public int MaxPerClient => maxPerClient;

    /// <returns>A lease to dispose when the stream ends, or null when the client is at its limit.</returns>
    public IDisposable? TryAcquire(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var client = ClientOf(http);
        lock (_gate)
        {
            var open = _open.GetValueOrDefault(client);
            if (open >= maxPerClient)
            {
                return null;
            }

            _open[client] = open + 1;
        }

        return new Lease(this, client);
    }

    internal static string ClientOf(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? "user:" + name
        : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private void Release(string client)
    {
        lock (_gate)
        {
            if (_open.TryGetValue(client, out var open))
            {
                if (open <= 1)
                {
                    _open.Remove(client);
                }
                else
                {
                    _open[client] = open - 1;
                }
            }
        }
    }

    private sealed class Lease(ClientStreamLimiter limiter, string client) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                limiter.Release(client);
            }
        }
    }
}
