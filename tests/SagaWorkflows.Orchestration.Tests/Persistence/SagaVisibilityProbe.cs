using System.Collections.Concurrent;
using MassTransit;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

/// <summary>
/// Records, when a <see cref="CounterStarted"/> is published, whether its saga row is already visible to another
/// connection, i.e. committed.
/// </summary>
public sealed class SagaVisibilityProbe(Func<Guid, Task<bool>> isCommitted) : IPublishObserver
{
    public ConcurrentDictionary<Guid, bool> CommittedAtPublish { get; } = new();

    public async Task PrePublish<T>(PublishContext<T> context)
        where T : class
    {
        if (context.Message is not CounterStarted started)
        {
            return;
        }

        CommittedAtPublish[started.CounterId] = await isCommitted(started.CounterId);
    }

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
