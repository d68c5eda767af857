using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using SagaWorkflows.Contracts;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.TestKit;

/// <summary>
/// Tells when the in-process system has nothing left to do but wait for time: no message being handled, none sent to
/// one of its queues and not yet received, no outbox delivery under way, no scheduled message being sent, and nothing
/// of the kind for a short quiet period. Only then may the kit move the clock to the next timer: a step's timeout never
/// fires while the step's tool is still running.
/// </summary>
internal sealed class BusActivity(string eventsQueue) : IReceiveObserver, ISendObserver, IPublishObserver, IReceiveEndpointObserver
{
    /// <summary>A message sent to a queue and not received after this long is taken as one nothing will receive.</summary>
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, byte> _queues = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Queue, Guid MessageId), long> _inTransit = new();
    private int _handling;
    private long _lastActivity = Stopwatch.GetTimestamp();

    public SagaOutboxDelivery? Outbox { get; set; }

    public Scheduling.ScheduledMessages? Scheduled { get; set; }

    /// <summary>Something happened now (a scheduled message is about to be sent, a test published a command).</summary>
    public void Touch() => Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());

    public bool IsQuiet(TimeSpan quietPeriod)
    {
        if (Volatile.Read(ref _handling) > 0 || Outbox?.Pending > 0 || Scheduled?.IsDelivering == true)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        foreach (var (key, sentAt) in _inTransit)
        {
            if (Stopwatch.GetElapsedTime(sentAt, now) < Stale)
            {
                return false;
            }

            _inTransit.TryRemove(key, out _);
        }

        return Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActivity), now) >= quietPeriod;
    }

    /// <summary>What is under way, for failure messages.</summary>
    public string Describe() =>
        $"{Volatile.Read(ref _handling)} message(s) being handled, {_inTransit.Count} sent and not yet received, "
        + $"{Outbox?.Pending ?? 0} outbox delivery lane(s) busy";

    public Task PreReceive(ReceiveContext context)
    {
        Interlocked.Increment(ref _handling);
        Touch();
        if (context.GetMessageId() is { } messageId)
        {
            var key = (QueueOf(context.InputAddress), messageId);
            _inTransit.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context)
    {
        Interlocked.Decrement(ref _handling);
        Touch();
        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Interlocked.Decrement(ref _handling);
        Touch();
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class =>
        Task.CompletedTask;

    // Registered before the transport takes the message: in memory, its receiver may start before PostSend is called.
    public Task PreSend<T>(SendContext<T> context) where T : class
    {
        if (KeyOf(context) is { } key)
        {
            _inTransit[key] = Stopwatch.GetTimestamp();
        }

        Touch();
        return Task.CompletedTask;
    }

    public Task PostSend<T>(SendContext<T> context) where T : class
    {
        Touch();
        return Task.CompletedTask;
    }

    public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class
    {
        if (KeyOf(context) is { } key)
        {
            _inTransit.TryRemove(key, out _);
        }

        Touch();
        return Task.CompletedTask;
    }

    /// <summary>The kit's own event queue receives every lifecycle event: one more message to wait for.</summary>
    public Task PrePublish<T>(PublishContext<T> context) where T : class
    {
        if (context.Message is WorkflowLifecycleEvent && context.MessageId is { } messageId)
        {
            _inTransit[(eventsQueue, messageId)] = Stopwatch.GetTimestamp();
        }

        Touch();
        return Task.CompletedTask;
    }

    public Task PostPublish<T>(PublishContext<T> context) where T : class
    {
        Touch();
        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class
    {
        if (context.Message is WorkflowLifecycleEvent && context.MessageId is { } messageId)
        {
            _inTransit.TryRemove((eventsQueue, messageId), out _);
        }

        Touch();
        return Task.CompletedTask;
    }

    private (string Queue, Guid MessageId)? KeyOf(SendContext context) =>
        context.DestinationAddress is { } destination && context.MessageId is { } messageId && _queues.ContainsKey(QueueOf(destination))
            ? (QueueOf(destination), messageId)
            : null;

    public Task Ready(ReceiveEndpointReady ready)
    {
        _queues.TryAdd(QueueOf(ready.InputAddress), 0);
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;

    private static string QueueOf(Uri address)
    {
        var path = address.IsAbsoluteUri && address.Scheme is "queue" or "exchange" ? address.OriginalString[(address.Scheme.Length + 1)..] : address.AbsolutePath;
        var name = path.TrimEnd('/');
        var slash = name.LastIndexOf('/');
        name = slash >= 0 ? name[(slash + 1)..] : name;
        var query = name.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? name[..query] : name;
    }
}
