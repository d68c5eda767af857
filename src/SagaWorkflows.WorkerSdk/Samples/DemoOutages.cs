using System.Collections.Concurrent;

namespace SagaWorkflows.WorkerSdk.Samples;

/// <summary>
/// The downstream services the <see cref="DownstreamTool"/> demo tool pretends are down. Nothing is down until
/// <see cref="Begin"/> is called: <c>sagawf demo</c> starts an outage before its redrive run and ends it, playing the
/// operator who fixed the cause, before it redrives the failed run. Thread-safe.
/// </summary>
public sealed class DemoOutages
{
    private readonly ConcurrentDictionary<string, bool> _down = new(StringComparer.Ordinal);

    public void Begin(string service)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        _down[service] = true;
    }

    public void End(string service)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        _down.TryRemove(service, out _);
    }

    public bool IsDown(string service) => _down.ContainsKey(service);
}
