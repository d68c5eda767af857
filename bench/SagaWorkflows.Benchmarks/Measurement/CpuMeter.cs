using System.Diagnostics;
using SagaWorkflows.Benchmarks.Infrastructure;

namespace SagaWorkflows.Benchmarks.Measurement;

/// <summary>CPU time used by each process of the benchmark over an interval: where the work went.</summary>
/// <param name="Work">How much the <see cref="CpuMeter"/>'s work counter advanced over the interval.</param>
public sealed record CpuUsage(TimeSpan Wall, TimeSpan Orchestrator, TimeSpan Worker, TimeSpan Benchmark, TimeSpan Broker, long Work)
{
    public TimeSpan Total => Orchestrator + Worker + Benchmark + Broker;
}

/// <summary>
/// Snapshots of CPU time, taken at the edges of a measured window. The broker is shared with anything else
/// using it at the time (other tests on this machine), so its share is an upper bound.
/// </summary>
/// <param name="work">Optional: a count of work done (steps completed), read at the same edges.</param>
public sealed class CpuMeter(SagaWorkflowsDeployment? deployment, Func<long>? work = null)
{
    private readonly int? _brokerPid = ProcessStats.BrokerPid();
    private Snapshot? _start;
    private Snapshot? _end;

    public void Start() => _start = Take();

    public void Stop() => _end = Take();

    public CpuUsage Usage()
    {
        var start = _start ?? throw new InvalidOperationException("the meter was not started");
        var end = _end ?? Take();
        return new CpuUsage(Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp), end.Orchestrator - start.Orchestrator, end.Worker - start.Worker,
            end.Benchmark - start.Benchmark, end.Broker - start.Broker, end.Work - start.Work);
    }

    private Snapshot Take()
    {
        using var self = Process.GetCurrentProcess();
        return new Snapshot(
            Stopwatch.GetTimestamp(),
            deployment?.Orchestrator?.CpuTime() ?? TimeSpan.Zero,
            deployment?.Worker?.CpuTime() ?? TimeSpan.Zero,
            self.TotalProcessorTime,
            _brokerPid is { } pid ? ProcessStats.CpuTime(pid) : TimeSpan.Zero,
            work?.Invoke() ?? 0);
    }

    private sealed record Snapshot(long Timestamp, TimeSpan Orchestrator, TimeSpan Worker, TimeSpan Benchmark, TimeSpan Broker, long Work);
}
