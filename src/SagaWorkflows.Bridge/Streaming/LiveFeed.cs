namespace SagaWorkflows.Bridge.Streaming;

/// <summary>Waits on a subscription for the next event, without consuming anything it gives up on.</summary>
public static class LiveFeed
{
    public static async Task<(LiveSignal Signal, RelayedEvent? Event)> NextAsync(HubSubscription subscription,
        TimeSpan idleAfter, CancellationToken stopping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        while (true)
        {
            if (subscription.TakeOverflow())
            {
                return (LiveSignal.Overflow, null);
            }

            if (subscription.Reader.TryRead(out var relayed))
            {
                return (LiveSignal.Event, relayed);
            }

            if (stopping.IsCancellationRequested)
            {
                return (LiveSignal.Stopping, null);
            }

            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
            idle.CancelAfter(idleAfter);
            try
            {
                if (!await subscription.Reader.WaitToReadAsync(idle.Token))
                {
                    // Completed only by disposal, which happens when the request ends.
                    throw new OperationCanceledException(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && idle.IsCancellationRequested)
            {
                return (stopping.IsCancellationRequested ? LiveSignal.Stopping : LiveSignal.Idle, null);
            }
        }
    }

    /// <summary>
    /// The next live event that continues a stream exactly (<paramref name="position"/> of it is <paramref name="cursor"/> + 1),
    /// skipping repeats and writing keepalives while idle; a <see cref="RelayedEvent.IsProgress"/> item is handed over as it comes. <see cref="LiveSignal.Overflow"/> when the stream must read the
    /// store again (events were dropped, or one is missing in between), <see cref="LiveSignal.Stopping"/> when the host stops.
    /// </summary>
    public static async Task<(LiveSignal Signal, RelayedEvent? Event)> NextInOrderAsync(HubSubscription subscription, SseCommentWriter comments,
        long cursor, Func<RelayedEvent, long> position, TimeSpan idleAfter, CancellationToken stopping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(comments);
        ArgumentNullException.ThrowIfNull(position);
        while (true)
        {
            var (signal, relayed) = await NextAsync(subscription, idleAfter, stopping, cancellationToken);
            if (signal == LiveSignal.Idle)
            {
                await comments.WriteAsync("keepalive", cancellationToken);
                continue;
            }

            if (signal != LiveSignal.Event)
            {
                return (signal, null);
            }

            // Progress is outside the order: it passes straight through and moves no cursor.
            if (relayed!.IsProgress)
            {
                return (LiveSignal.Event, relayed);
            }

            var next = position(relayed);
            if (next > cursor + 1)
            {
                return (LiveSignal.Overflow, null);
            }

            if (next > cursor)
            {
                return (LiveSignal.Event, relayed);
            }
        }
    }
}
