using System.Collections.Concurrent;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>Messages a test endpoint received, waited on with a timeout.</summary>
public sealed class MessageCapture<T>
{
    private readonly ConcurrentQueue<T> _messages = new();

    public IReadOnlyCollection<T> Messages => _messages;

    internal Task AddAsync(T message)
    {
        _messages.Enqueue(message);
        return Task.CompletedTask;
    }

    public async Task<T> WaitForAsync(Func<T, bool> match, TimeSpan? timeout = null)
    {
        T? found = default;
        await Eventually.TrueAsync(() =>
        {
            found = _messages.FirstOrDefault(match);
            return found is not null;
        }, $"a {typeof(T).Name} matching the test", timeout);
        return found!;
    }
}
