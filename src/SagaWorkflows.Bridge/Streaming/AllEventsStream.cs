using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using SagaWorkflows.Bridge.Storage;

namespace SagaWorkflows.Bridge.Streaming;

/// <summary>
/// Every run's events after a bridge-wide position, history then live, never ending. Like
/// <see cref="RunEventStream"/>, it re-reads the store whenever the live feed does not continue
/// exactly at the stream's position.
/// </summary>
public sealed class AllEventsStream(BridgeEventStore store, HubSubscription subscription, SseCommentWriter comments,
    BridgeOptions options, CancellationToken stopping)
{
    public async IAsyncEnumerable<SseItem<string>> ReadAsync(long afterPosition,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var owned = subscription;
        await comments.WriteAsync("all runs", cancellationToken);

        var cursor = afterPosition;
        while (true)
        {
            subscription.TakeOverflow();
            IReadOnlyList<RelayedEvent> page;
            do
            {
                page = await store.ReadAllAsync(cursor, options.HistoryPageSize, cancellationToken);
                foreach (var relayed in page)
                {
                    yield return SseItems.ForAllRuns(relayed);
                    cursor = relayed.Position;
                }
            }
            while (page.Count == options.HistoryPageSize);

            while (true)
            {
                var (signal, relayed) = await LiveFeed.NextInOrderAsync(subscription, comments, cursor, e => e.Position, options.HeartbeatInterval,
                    stopping, cancellationToken);
                if (signal == LiveSignal.Stopping)
                {
                    yield break;
                }

                if (relayed is null)
                {
                    break;
                }

                // Progress is offered to run streams only; this stream carries lifecycle events.
                if (relayed.IsProgress)
                {
                    continue;
                }

                yield return SseItems.ForAllRuns(relayed);
                cursor = relayed.Position;
            }
        }
    }
}
