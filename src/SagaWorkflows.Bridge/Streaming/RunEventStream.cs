using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using SagaWorkflows.Bridge.Storage;

namespace SagaWorkflows.Bridge.Streaming;

/// <summary>
/// One run's events after a sequence: history from the store, then live from the hub, in sequence
/// order without gaps or repeats, ending after the terminal event. The live feed is only trusted
/// when it continues exactly where the stream is; anything else (a gap, an overflow) is re-read
/// from the store. Live <c>step-progress</c> of the run's streamed steps is passed on between them, without an id.
/// </summary>
public sealed class RunEventStream(BridgeEventStore store, HubSubscription subscription, SseCommentWriter comments,
    BridgeOptions options, CancellationToken stopping)
{
    public async IAsyncEnumerable<SseItem<string>> ReadAsync(Guid runId, long afterSequence,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var owned = subscription;
        // Sends the headers now: a client sees the stream open even when nothing is there to replay.
        await comments.WriteAsync("run " + runId, cancellationToken);

        var cursor = afterSequence;
        while (true)
        {
            subscription.TakeOverflow();
            IReadOnlyList<RelayedEvent> page;
            do
            {
                page = await store.ReadRunAsync(runId, cursor, options.HistoryPageSize, cancellationToken);
                foreach (var relayed in page)
                {
                    yield return SseItems.ForRun(relayed);
                    cursor = relayed.Sequence;
                    if (SseItems.IsTerminal(relayed))
                    {
                        yield return SseItems.EndOfRun(runId, relayed.Sequence, relayed.Type);
                        yield break;
                    }
                }
            }
            while (page.Count == options.HistoryPageSize);

            // A client resuming at or after the terminal event has nothing left to see.
            var run = await store.FindRunAsync(runId, cancellationToken);
            if (run is { TerminalSequence: { } terminal, LastEventType: { } type } && cursor >= terminal)
            {
                yield return SseItems.EndOfRun(runId, terminal, type);
                yield break;
            }

            // Retention deleted the run (only finished runs are) while this stream was still replaying it.
            if (run is null)
            {
                yield return SseItems.EndOfPurgedRun(runId, cursor);
                yield break;
            }

            while (true)
            {
                var (signal, live) = await LiveFeed.NextInOrderAsync(subscription, comments, cursor, e => e.Sequence, options.HeartbeatInterval,
                    stopping, cancellationToken);
                if (signal == LiveSignal.Stopping)
                {
                    yield break;
                }

                if (live is not { } relayed)
                {
                    break;
                }

                if (relayed.IsProgress)
                {
                    yield return SseItems.ForProgress(relayed);
                    continue;
                }

                yield return SseItems.ForRun(relayed);
                cursor = relayed.Sequence;
                if (SseItems.IsTerminal(relayed))
                {
                    yield return SseItems.EndOfRun(runId, relayed.Sequence, relayed.Type);
                    yield break;
                }
            }
        }
    }
}
