using System.Collections.Concurrent;
using MassTransit;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.WorkerSdk.Events;

/// <summary>
/// The events of one run are published in order, but a queue consumed with any concurrency (and any
/// redelivery) hands them over out of order and sometimes twice. This consumer hands an event to the
/// handler only when it is the run's next one: an earlier one is a duplicate and is dropped; a later one goes
/// back to the end of the queue (sent before it is acknowledged) to be looked at again after its predecessor.
/// Nothing is buffered in memory and no consumer slot is held while waiting, so nothing acknowledged is ever
/// lost and a burst of early events cannot starve the one they wait for. An event still early after
/// <c>maxWait</c> faults with <see cref="WorkflowEventOutOfOrderException"/> (to the <c>_error</c> queue).
/// </summary>
public sealed class OrderedWorkflowEventConsumer(IWorkflowEventHandler handler, IWorkflowEventPositions positions, TimeSpan maxWait)
    : IConsumer<WorkflowLifecycleEvent>
{
    /// <summary>When an early event was first put back: how long it has waited for its predecessor.</summary>
    public const string WaitingSinceHeader = "SagaWorkflows-WaitingSince";

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _runs = new();

    public async Task Consume(ConsumeContext<WorkflowLifecycleEvent> context)
    {
        var message = context.Message;
        var gate = _runs.GetOrAdd(message.RunId, _ => new SemaphoreSlim(1, 1));
        long expected;
        await gate.WaitAsync(context.CancellationToken);
        try
        {
            var handled = await positions.GetAsync(message.RunId, context.CancellationToken);
            expected = handled + 1;
            if (message.Sequence < expected)
            {
                return;
            }

            if (message.Sequence == expected)
            {
                await handler.HandleAsync(message, context.CancellationToken);
                await positions.SetAsync(message.RunId, message.Sequence, context.CancellationToken);
            }
        }
        finally
        {
            gate.Release();
        }

        if (message.Sequence > expected)
        {
            await PutBackAsync(context, expected);
            return;
        }

        if (LifecycleEventTypes.IsTerminal(message.Type))
        {
            _runs.TryRemove(message.RunId, out _); // only duplicates can follow, and the position drops them
        }
    }

    private async Task PutBackAsync(ConsumeContext<WorkflowLifecycleEvent> context, long expected)
    {
        var now = DateTimeOffset.UtcNow;
        var since = context.Headers.Get<string>(WaitingSinceHeader) is { } text
                    && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var first)
            ? first
            : now;
        if (now - since > maxWait)
        {
            throw new WorkflowEventOutOfOrderException(context.Message.RunId, expected, context.Message.Sequence);
        }

        await Task.Delay(Pause, context.CancellationToken); // a lone early event does not spin
        var queue = await context.GetSendEndpoint(context.ReceiveContext.InputAddress);
        await queue.Send(context.Message, send =>
        {
            send.Headers.Set(WaitingSinceHeader, since.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            send.CorrelationId = context.CorrelationId;
        }, context.CancellationToken);
    }
}

/// <summary>An event waited longer than allowed for one of its run's earlier events.</summary>
public sealed class WorkflowEventOutOfOrderException(Guid runId, long expected, long received)
    : Exception($"run {runId}: event {received} is still waiting for event {expected}")
{
    public Guid RunId { get; } = runId;
    public long Expected { get; } = expected;
    public long Received { get; } = received;
}

public static class OrderedWorkflowEventsExtensions
{
    /// <summary>
    /// Consumes <see cref="WorkflowLifecycleEvent"/> on this endpoint in each run's <c>Sequence</c> order. An event
    /// whose predecessor has not arrived within <paramref name="maxWait"/> (default 30 s: e.g. the queue was created
    /// after the run began, so its first events were never routed to it) faults to the endpoint's <c>_error</c> queue.
    /// </summary>
    public static void ConsumeWorkflowEventsInOrder(this IReceiveEndpointConfigurator endpoint, IWorkflowEventHandler handler,
        IWorkflowEventPositions? positions = null, TimeSpan? maxWait = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(handler);
        var consumer = new OrderedWorkflowEventConsumer(handler, positions ?? new InMemoryWorkflowEventPositions(), maxWait ?? TimeSpan.FromSeconds(30));
        endpoint.Consumer(() => consumer);
    }
}
