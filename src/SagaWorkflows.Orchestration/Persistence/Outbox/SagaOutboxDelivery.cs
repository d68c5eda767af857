using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// Delivers committed transitions' messages without holding up the consume that produced them: the consume ends
/// (and its message is acknowledged, and the saga's next message may start) at the commit, and each saga has a
/// delivery lane that sends its transitions' messages strictly in commit order. Within a transition, events go
/// out one after another (subscribers receive a saga's events in order) and commands alongside them. A message
/// that cannot be delivered stays in the outbox, and so do the ones behind it in the lane; the outbox relay
/// delivers them, as it does after a crash.
/// </summary>
public sealed partial class SagaOutboxDelivery(IServiceProvider services, ILogger<SagaOutboxDelivery> logger, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Func<IMessageScheduler?> _scheduler = OutboxDelivery.SchedulerFrom(services);
    private readonly Dictionary<Guid, Task> _lanes = [];
    private IBus? _bus;

    /// <summary>Sagas with deliveries under way (for tests and diagnostics).</summary>
    public int Pending
    {
        get
        {
            lock (_lanes)
            {
                return _lanes.Count;
            }
        }
    }

    /// <summary>Completes when every delivery queued so far has ended.</summary>
    public Task DrainedAsync()
    {
        lock (_lanes)
        {
            return Task.WhenAll(_lanes.Values);
        }
    }

    internal void Enqueue(ConsumeContext context, IReadOnlyList<StagedOutboxMessage> staged, SagaStore store)
    {
        if (staged.Count == 0)
        {
            return;
        }

        // What ties the messages to the one that caused them, taken now: the consume context does not outlive the consume.
        var conversationId = context.ConversationId;
        var initiatorId = context.MessageId;
        foreach (var saga in staged.GroupBy(x => x.Row.SagaCorrelationId))
        {
            var messages = saga.ToList();
            lock (_lanes)
            {
                var previous = _lanes.GetValueOrDefault(saga.Key) ?? Task.CompletedTask;
                var next = AfterAsync(previous, () => DeliverAsync(messages, conversationId, initiatorId, store));
                _lanes[saga.Key] = next;
                _ = next.ContinueWith(done => Release(saga.Key, done), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private async Task AfterAsync(Task previous, Func<Task> delivery)
    {
        try
        {
            await previous.ConfigureAwait(false);
            await delivery().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Whatever was not delivered stays in the outbox for the relay; the lane goes on with the next transition.
            LogDeliveryFailed(logger, exception);
        }
    }

    private void Release(Guid saga, Task done)
    {
        lock (_lanes)
        {
            if (_lanes.TryGetValue(saga, out var tail) && tail == done)
            {
                _lanes.Remove(saga);
            }
        }
    }

    private async Task DeliverAsync(List<StagedOutboxMessage> staged, Guid? conversationId, Guid? initiatorId, SagaStore store)
    {
        _bus ??= services.GetRequiredService<IBus>();
        var publishes = staged.Where(x => x.Row.Destination is null).ToList();
        var sends = staged.Where(x => x.Row.Destination is not null).ToList();

        var results = await Task.WhenAll(sends.Select(x => DeliverOneAsync(x, conversationId, initiatorId)).Append(DeliverInOrderAsync(publishes, conversationId, initiatorId)))
            .ConfigureAwait(false);

        store.Delivered.Add(results.SelectMany(ids => ids));
    }

    private async Task<IReadOnlyList<Guid>> DeliverInOrderAsync(List<StagedOutboxMessage> staged, Guid? conversationId, Guid? initiatorId)
    {
        List<Guid> delivered = new(staged.Count);
        foreach (var entry in staged)
        {
            var ids = await DeliverOneAsync(entry, conversationId, initiatorId).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                break; // the rest stay for the relay, behind the one that failed, keeping the order
            }

            delivered.AddRange(ids);
        }

        return delivered;
    }

    private async Task<IReadOnlyList<Guid>> DeliverOneAsync(StagedOutboxMessage entry, Guid? conversationId, Guid? initiatorId)
    {
        var (row, item) = entry;
        try
        {
            var message = OutboxSerializer.ToDeliverable(item, row);
            await OutboxDelivery.DeliverAsync(_bus!, _scheduler, row, message, item.MessageType, _time.GetUtcNow().UtcDateTime,
                CancellationToken.None, context =>
            {
                context.ConversationId = conversationId;
                context.InitiatorId = initiatorId;
            }).ConfigureAwait(false);

            return [row.Id];
        }
        catch (Exception exception)
        {
            // The state is committed; the row stays and the relay delivers it.
            LogMessageDeliveryFailed(logger, exception, row.MessageType, row.Id, row.SagaCorrelationId);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox delivery failed; the relay will deliver what is left")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox delivery of {MessageType} ({OutboxId}) for saga {CorrelationId} failed; the relay will retry")]
    private static partial void LogMessageDeliveryFailed(ILogger logger, Exception exception, string messageType, Guid outboxId, Guid correlationId);
}
