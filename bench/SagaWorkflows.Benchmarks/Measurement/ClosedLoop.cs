using System.Collections.Concurrent;
using System.Diagnostics;

namespace SagaWorkflows.Benchmarks.Measurement;

/// <summary>What one operation of a closed-loop load produced: success, and anything the scenario wants to keep.</summary>
public readonly record struct Outcome<T>(bool Succeeded, T? Detail, string? Error = null);

public sealed record LoadResult<T>(
    TimeSpan Measured,
    int Completed,
    int Failed,
    LatencySummary Latency,
    IReadOnlyList<T> Details,
    string? FirstError)
{
    public double PerSecond => Measured.TotalSeconds > 0 ? Completed / Measured.TotalSeconds : 0;
}

/// <summary>
/// M workers, each starting its next operation as soon as the previous one finished, like M users each
/// with one request in flight. Operations that finish during the warm-up are not counted; after the
/// measured window no new operation starts and the ones in flight are awaited, so the next scenario
/// starts on an idle system.
/// </summary>
public static class ClosedLoop
{
    public static async Task<LoadResult<T>> RunAsync<T>(int workers, TimeSpan warmup, TimeSpan duration,
        Func<int, CancellationToken, Task<Outcome<T>>> operation, CancellationToken cancellationToken, CpuMeter? cpu = null)
    {
        var clock = Stopwatch.StartNew();
        var windowStart = warmup;
        var windowEnd = warmup + duration;
        var latencies = new ConcurrentBag<double>();
        var details = new ConcurrentBag<T>();
        var completed = 0;
        var failed = 0;
        string? firstError = null;

        async Task Worker(int worker)
        {
            while (clock.Elapsed < windowEnd && !cancellationToken.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                Outcome<T> outcome;
                try
                {
                    outcome = await operation(worker, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    outcome = new Outcome<T>(false, default, $"{ex.GetType().Name}: {ex.Message}");
                }

                var ended = clock.Elapsed;
                if (ended < windowStart || ended > windowEnd)
                {
                    continue;
                }

                if (!outcome.Succeeded)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, outcome.Error ?? "failed", null);
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

        async Task MeterWindow()
        {
            if (cpu is null)
            {
                return;
            }

            await Task.Delay(windowStart, cancellationToken);
            cpu.Start();
            await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (windowEnd - clock.Elapsed).Ticks)), cancellationToken);
            cpu.Stop();
        }

        var meter = MeterWindow();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => Worker(w), cancellationToken)));
        await meter;
        return new LoadResult<T>(duration, completed, failed, LatencySummary.Of(latencies), details.ToList(), firstError);
    }
}
