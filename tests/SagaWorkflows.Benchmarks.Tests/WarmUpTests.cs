using System.Diagnostics;
using SagaWorkflows.Benchmarks.Measurement;

namespace SagaWorkflows.Benchmarks.Tests;

/// <summary>The warm-up rule, on a scripted JIT reading: the window waits for a quiet JIT, and never past the limit.</summary>
public sealed class WarmUpTests
{
    private static WarmUp Rule(TimeSpan minimum, TimeSpan limit, Func<int, TimeSpan> jit) =>
        new(minimum, limit, [1, 2])
        {
            QuietSpan = TimeSpan.FromMilliseconds(300),
            QuietCpu = TimeSpan.FromMilliseconds(10),
            SampleEvery = TimeSpan.FromMilliseconds(20),
            JitCpu = jit,
        };

    [Fact]
    public async Task The_window_waits_until_every_process_has_been_quiet_for_the_quiet_span()
    {
        var clock = Stopwatch.StartNew();
        var busyUntil = TimeSpan.FromMilliseconds(600);

        // Process 2 compiles (1 ms of JIT per ms) until busyUntil, then stops; process 1 is quiet throughout.
        var result = await Rule(TimeSpan.Zero, TimeSpan.FromSeconds(30),
            pid => pid == 2 ? (clock.Elapsed < busyUntil ? clock.Elapsed : busyUntil) : TimeSpan.Zero).WaitAsync(clock, CancellationToken.None);

        // The rule tolerates QuietCpu (10 ms) of JIT within the quiet span (300 ms), so the earliest settling point is
        // 10 ms of compiling before busyUntil plus a whole span: 890 ms, never sooner.
        Assert.True(result.Settled);
        Assert.InRange(result.Elapsed, busyUntil - TimeSpan.FromMilliseconds(10) + TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_minimum_holds_even_when_nothing_compiles()
    {
        var clock = Stopwatch.StartNew();
        var result = await Rule(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), _ => TimeSpan.Zero).WaitAsync(clock, CancellationToken.None);

        Assert.True(result.Settled);
        Assert.InRange(result.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_jit_that_never_settles_ends_the_warm_up_at_the_limit_and_says_so()
    {
        var clock = Stopwatch.StartNew();
        var result = await Rule(TimeSpan.Zero, TimeSpan.FromMilliseconds(800), _ => clock.Elapsed).WaitAsync(clock, CancellationToken.None);

        Assert.False(result.Settled);
        Assert.InRange(result.Elapsed, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(10));
    }
}
