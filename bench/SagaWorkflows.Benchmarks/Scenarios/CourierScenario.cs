using MassTransit;
using MassTransit.Courier.Contracts;
using SagaWorkflows.Benchmarks.Measurement;
using SagaWorkflows.Benchmarks.Messages;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Workflows;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>(2) What a user would write by hand: a routing slip of N no-op activities, M slips in flight.</summary>
public static class CourierScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var bus = context.Bus;
        var result = new ScenarioResult(ScenarioIds.Courier, "(2) MassTransit Courier routing slip");
        result.Notes.Add($"{options.Steps} no-op activities per slip, {options.Concurrency} slips in flight; activity host in the benchmark process " +
            $"(prefetch {options.EffectivePrefetch}, concurrency {Infrastructure.BenchmarkBus.ConsumerConcurrency}); only the Completed/Faulted events, sent to a subscription");

        var cpu = new CpuMeter(null);
        var load = await ClosedLoop.RunAsync<object>(options.Concurrency, context.WarmUp(hosts: false), options.Duration, async (_, ct) =>
        {
            var trackingNumber = NewId.NextGuid();
            var ended = bus.WhenSlipEndsAsync(trackingNumber);
            try
            {
                var builder = new RoutingSlipBuilder(trackingNumber);
                for (var i = 0; i < options.Steps; i++)
                {
                    builder.AddActivity("noop", bus.NoopActivityAddress, new NoopArguments { Index = i, Payload = BenchmarkWorkflows.Payload });
                }

                builder.AddSubscription(bus.SlipEventsAddress, RoutingSlipEvents.Completed | RoutingSlipEvents.Faulted | RoutingSlipEvents.CompensationFailed);
                await bus.Bus.Execute(builder.Build());
                var completed = await ended.WaitAsync(options.OperationTimeout, ct);
                return new Outcome<object>(completed, null, completed ? null : "the routing slip faulted");
            }
            finally
            {
                bus.ForgetSlip(trackingNumber);
            }
        }, cancellationToken, cpu);

        var usage = cpu.Usage();
        BenchmarkContext.AddWarmUp(result, load.WarmedUp);
        var activities = load.Completed * options.Steps;
        var activitiesPerSecond = load.PerSecond * options.Steps;
        result.Add("slipsPerSecond", "routing slips/s", load.PerSecond, "1/s")
            .Add("activitiesPerSecond", "activities/s", activitiesPerSecond, "1/s")
            .Add("costPerActivityMs", "wall time per activity at this load (1/throughput)", activitiesPerSecond > 0 ? 1000 / activitiesPerSecond : 0, "ms")
            .Add("slipLatencyP50Ms", "slip p50", load.Latency.P50, "ms")
            .Add("slipLatencyP95Ms", "slip p95", load.Latency.P95, "ms")
            .Add("slipLatencyP99Ms", "slip p99", load.Latency.P99, "ms")
            .Add("activityLatencyMeanMs", "per activity: slip mean / N", load.Latency.Mean / options.Steps, "ms")
            .Add("cpuBenchmarkMsPerActivity", "CPU, client + activity host process, per activity", RequestResponseScenario.PerOp(usage.Benchmark, activities), "ms")
            .Add("cpuBrokerMsPerActivity", "CPU, broker, per activity", RequestResponseScenario.PerOp(usage.Broker, activities), "ms")
            .Add("completed", "slips measured", load.Completed, "");
        result.FailIf(load.CompletedOverall == 0, "no routing slip completed");
        result.FailIf(load.Failed > 0, $"{load.Failed} routing slips failed: {load.FirstError}");
        return result;
    }
}
