using System.Diagnostics;
using SagaWorkflows.Benchmarks.Infrastructure;

namespace SagaWorkflows.Benchmarks.Measurement;

/// <summary>How long a warm-up lasted and whether every watched process had finished its background JIT by then.</summary>
public sealed record WarmUpResult(TimeSpan Elapsed, bool Settled);

/// <summary>
/// When a closed-loop load's measured window may begin: after <see cref="Minimum"/>, and once the tiered JIT of
/// every process doing the work has settled, but no later than <see cref="Limit"/>. A freshly started .NET process
/// first runs unoptimised code and recompiles its hot methods in the background; on two busy cores that
/// background JIT took a third of the orchestrator's CPU for its first ~30 s under load, so a fixed few seconds
/// of warm-up measured start-up, not the speed a long-running deployment has. Every process (the baselines' and
/// the hosts') gets the same rule, so the ratios compare warm code with warm code.
/// </summary>
/// <param name="Processes">Pids whose tiered-compilation threads are watched (the benchmark's own and the hosts').</param>
public sealed record WarmUp(TimeSpan Minimum, TimeSpan Limit, IReadOnlyList<int> Processes)
{
    /// <summary>The JIT counts as settled when, over this span, no watched process gave it more than <see cref="QuietCpu"/>.</summary>
    public TimeSpan QuietSpan { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>2 % of a core over the default <see cref="QuietSpan"/>; a warm host's occasional re-JIT stays under it, start-up is 10–40× above it.</summary>
    public TimeSpan QuietCpu { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan SampleEvery { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Reads the CPU time a process's background JIT used so far.</summary>
    public Func<int, TimeSpan> JitCpu { get; init; } = ProcessStats.TieredCompilationCpu;

    /// <summary>Waits until the window may begin, measured on <paramref name="clock"/> (started with the load).</summary>
    public async Task<WarmUpResult> WaitAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        var samples = new Queue<(TimeSpan At, TimeSpan[] Jit)>();
        while (true)
        {
            var now = clock.Elapsed;
            var jit = Processes.Select(JitCpu).ToArray();
            samples.Enqueue((now, jit));
            // Keep the newest sample that is at least a quiet span old, and everything after it.
            while (samples.Count > 1 && now - samples.ElementAt(1).At >= QuietSpan)
            {
                samples.Dequeue();
            }

            if (now >= Limit)
            {
                return new WarmUpResult(now, Settled(samples, now));
            }

            if (now >= Minimum && Settled(samples, now))
            {
                return new WarmUpResult(now, true);
            }

            await Task.Delay(SampleEvery, cancellationToken);
        }
    }

    private bool Settled(Queue<(TimeSpan At, TimeSpan[] Jit)> samples, TimeSpan now)
    {
        var oldest = samples.Peek();
        if (now - oldest.At < QuietSpan)
        {
            return false;
        }

        var latest = samples.Last();
        return latest.Jit.Zip(oldest.Jit).All(p => p.First - p.Second <= QuietCpu);
    }
}
