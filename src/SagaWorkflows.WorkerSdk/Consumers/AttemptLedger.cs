using System.Collections.Concurrent;

namespace SagaWorkflows.WorkerSdk.Consumers;

/// <summary>
/// The step attempts this worker process ran recently, so a duplicate command (an outbox re-send
/// after an orchestrator crash, a broker redelivery) does not run the tool again: a duplicate of an
/// attempt still running is dropped, one of a finished attempt gets the same reply again. Bounded;
/// duplicates across worker processes remain possible, which is why tools get a stable ExecutionId.
/// </summary>
internal static class AttemptLedger
{
    private const int Capacity = 10_000;
    private static readonly ConcurrentDictionary<(Guid ExecutionId, int Attempt), object?> Attempts = new();
    private static readonly ConcurrentQueue<(Guid, int)> Order = new();

    /// <summary>Null reply with true: run it. Null reply with false: running now, drop the duplicate.
    /// A reply: finished, send that reply again.</summary>
    public static bool TryBegin(Guid executionId, int attempt, out object? previousReply)
    {
        var key = (executionId, attempt);
        if (Attempts.TryAdd(key, null))
        {
            Order.Enqueue(key);
            while (Order.Count > Capacity && Order.TryDequeue(out var oldest))
            {
                Attempts.TryRemove(oldest, out _);
            }

            previousReply = null;
            return true;
        }

        previousReply = Attempts.GetValueOrDefault(key);
        return false;
    }

    public static void Finish(Guid executionId, int attempt, object reply) => Attempts[(executionId, attempt)] = reply;

    /// <summary>The attempt ended without a reply (the worker is stopping): a redelivery must run it.</summary>
    public static void Forget(Guid executionId, int attempt) => Attempts.TryRemove((executionId, attempt), out _);
}
