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
}
