using System.Collections.Concurrent;
using System.Diagnostics;

namespace SagaWorkflows.Benchmarks.Measurement;

/// <summary>What one operation of a closed-loop load produced: success, and anything the scenario wants to keep.</summary>
public readonly record struct Outcome<T>(bool Succeeded, T? Detail, string? Error = null);

/// <param name="Completed">Operations that succeeded inside the measured window.</param>
/// <param name="Failed">Operations that failed at any time, warm-up and drain included.</param>
/// <param name="CompletedOverall">Operations that succeeded at any time: proof the scenario works even when the
/// window was too short (or the machine too busy) to see one finish.</param>
/// <param name="WarmedUp">How long the load ran before the measured window, and whether the JIT had settled.</param>
public sealed record LoadResult<T>(
    TimeSpan Measured,
    WarmUpResult WarmedUp,
    int Completed,
    int Failed,
    int CompletedOverall,
    LatencySummary Latency,
    IReadOnlyList<T> Details,
    string? FirstError)
{
    public double PerSecond => Measured.TotalSeconds > 0 ? Completed / Measured.TotalSeconds : 0;
}

/// <summary>
/// M workers, each starting its next operation as soon as the previous one finished, like M users each
/// with one request in flight. Operations that finish during the warm-up (see <see cref="WarmUp"/>) are not
/// counted; after the measured window no new operation starts and the ones in flight are awaited, so the next
/// scenario starts on an idle system.
/// </summary>
public static class ClosedLoop
{
    public static async Task<LoadResult<T>> RunAsync<T>(int workers, WarmUp warmup, TimeSpan duration,
        Func<int, CancellationToken, Task<Outcome<T>>> operation, CancellationToken cancellationToken, CpuMeter? cpu = null)
    {
        var completedOverall = 0;
        var failed = 0;
        string? firstError = null;

        // One operation alone first: a cold start (JIT, connections, first queries) is not what the window measures.
        var first = await AttemptAsync(operation, 0, cancellationToken);
        if (first.Succeeded)
        {
            completedOverall++;
        }
        else
        {
            failed++;
            firstError = first.Error ?? "failed";
        }

        var clock = Stopwatch.StartNew();

        // Both edges are unknown until the warm-up ends; until then every operation is warm-up.
        var windowStartTicks = long.MaxValue;
        var windowEndTicks = long.MaxValue;
        TimeSpan WindowStart() => TimeSpan.FromTicks(Volatile.Read(ref windowStartTicks));
        TimeSpan WindowEnd() => TimeSpan.FromTicks(Volatile.Read(ref windowEndTicks));
        var latencies = new ConcurrentBag<double>();
        var details = new ConcurrentBag<T>();
        var completed = 0;

        async Task WorkerAsync(int worker)
        {
            while (clock.Elapsed < WindowEnd() && !cancellationToken.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                var outcome = await AttemptAsync(operation, worker, cancellationToken);
                var ended = clock.Elapsed;
                if (!outcome.Succeeded)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, outcome.Error ?? "failed", null);
                    continue;
                }

                Interlocked.Increment(ref completedOverall);
                if (ended < WindowStart() || ended > WindowEnd())
                {
                    continue;
                }

                Interlocked.Increment(ref completed);
                latencies.Add((ended - started).TotalMilliseconds);
                if (outcome.Detail is { } detail)
                {
                    details.Add(detail);
                }
            }
        }

        async Task<WarmUpResult> WindowAsync()
        {
            var warm = await warmup.WaitAsync(clock, cancellationToken);
            cpu?.Start();
            var start = clock.Elapsed;
            Volatile.Write(ref windowEndTicks, (start + duration).Ticks);
            Volatile.Write(ref windowStartTicks, start.Ticks);
            await Task.Delay(duration, cancellationToken);
            cpu?.Stop();
            return warm;
        }

        var window = WindowAsync();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkerAsync(w), cancellationToken)));
        var warmedUp = await window;
        return new LoadResult<T>(duration, warmedUp, completed, failed, completedOverall, LatencySummary.Of(latencies), details.ToList(), firstError);
    }

    private static async Task<Outcome<T>> AttemptAsync<T>(Func<int, CancellationToken, Task<Outcome<T>>> operation, int worker,
        CancellationToken cancellationToken)
    {
        try
        {
            return await operation(worker, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new Outcome<T>(false, default, $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
