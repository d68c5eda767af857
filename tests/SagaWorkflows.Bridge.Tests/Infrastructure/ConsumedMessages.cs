using System.Collections.Concurrent;
using MassTransit;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>Counts messages whose consumers have finished, so a test can wait for the bus instead of sleeping.</summary>
public sealed class ConsumedMessages : IConsumeObserver
{
    private readonly ConcurrentDictionary<Type, int> _counts = new();

    public int Count<T>() => _counts.GetValueOrDefault(typeof(T));

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        _counts.AddOrUpdate(typeof(T), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
