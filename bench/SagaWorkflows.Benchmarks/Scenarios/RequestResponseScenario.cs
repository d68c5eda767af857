using MassTransit;
using SagaWorkflows.Benchmarks.Measurement;
using SagaWorkflows.Benchmarks.Messages;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Workflows;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>(1) The bus's own ceiling: M requesters, each with one request/response round trip in flight.</summary>
public static class RequestResponseScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var result = new ScenarioResult(ScenarioIds.RequestResponse, "(1) MassTransit request/response");
        result.Notes.Add($"{options.Concurrency} concurrent requesters; a trivial consumer in the benchmark process " +
            $"(prefetch {options.EffectivePrefetch}, concurrency {Infrastructure.BenchmarkBus.ConsumerConcurrency}, like a worker's tool endpoint); persistent messages, publisher confirms");

        var client = context.Bus.Bus.CreateRequestClient<Ping>(context.Bus.EchoAddress, RequestTimeout.After(s: (int)options.OperationTimeout.TotalSeconds));
        var cpu = new CpuMeter(null);
        var load = await ClosedLoop.RunAsync<object>(options.Concurrency, context.WarmUp(hosts: false), options.Duration, async (_, ct) =>
        {
            await client.GetResponse<Pong>(new Ping { Id = NewId.NextGuid(), Payload = BenchmarkWorkflows.Payload }, ct);
            return new Outcome<object>(true, null);
        }, cancellationToken, cpu);

        var usage = cpu.Usage();
        BenchmarkContext.AddWarmUp(result, load.WarmedUp);
        result.Add("roundTripsPerSecond", "round trips/s", load.PerSecond, "1/s")
            .Add("latencyP50Ms", "round trip p50", load.Latency.P50, "ms")
            .Add("latencyP95Ms", "round trip p95", load.Latency.P95, "ms")
            .Add("latencyP99Ms", "round trip p99", load.Latency.P99, "ms")
            .Add("cpuBenchmarkMsPerOp", "CPU, requester + consumer process, per round trip", PerOp(usage.Benchmark, load.Completed), "ms")
            .Add("cpuBrokerMsPerOp", "CPU, broker, per round trip", PerOp(usage.Broker, load.Completed), "ms")
            .Add("completed", "round trips measured", load.Completed, "");
        result.FailIf(load.CompletedOverall == 0, "no round trip completed");
        result.FailIf(load.Failed > 0, $"{load.Failed} round trips failed: {load.FirstError}");
        return result;
    }

    internal static double PerOp(TimeSpan cpu, int operations) => operations > 0 ? cpu.TotalMilliseconds / operations : 0;
}
