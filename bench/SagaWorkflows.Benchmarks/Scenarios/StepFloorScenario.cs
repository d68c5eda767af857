using MassTransit;
using SagaWorkflows.Benchmarks.Infrastructure;
using SagaWorkflows.Benchmarks.Measurement;
using SagaWorkflows.Benchmarks.Messages;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Workflows;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>
/// (3f) The message floor of a step: raw MassTransit exchanging exactly the messages of a SagaWorkflows sequential
/// step (command, reply, two lifecycle events) with no saga, no store and no state, in the benchmark process. The
/// most favourable implementation of the product's contract: no orchestrator can step faster on this broker.
/// </summary>
public static class StepFloorScenario
{
    private const string OrchestratorQueue = "bench-floor-runs";
    private const string WorkerQueue = "bench-floor-worker";
    private const string EventsQueue = "bench-floor-events";

    /// <summary>The orchestrator's default ConcurrentMessageLimit (OrchestratorOptions), used unless --saga-concurrency says otherwise.</summary>
    private const int ProductSagaConcurrency = 32;

    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var bus = context.Bus.Bus;
        var sagaConcurrency = options.SagaConcurrency ?? ProductSagaConcurrency;
        var messagesPerRun = 4 * options.Steps + 2;
        var result = new ScenarioResult(ScenarioIds.StepFloor, "(3f) message floor of a step");
        result.Notes.Add($"{options.Steps} steps per run, {options.Concurrency} runs in flight; raw MassTransit consumers in the benchmark process, no saga, no store, no state. " +
            $"A run starts with a message sent to the orchestrator's queue; for it and for every reply the orchestrator consumer (prefetch {options.EffectivePrefetch}, " +
            $"concurrency {sagaConcurrency}, no partitioning) sends the next step's command to the worker's queue while it publishes two events one after the other " +
            $"(workflow-start/step-start, then step-complete/step-start), and after the last step only the terminal event; the worker consumer (prefetch {options.EffectivePrefetch}, " +
            $"concurrency {BenchmarkBus.ConsumerConcurrency}) sends the reply to the orchestrator's queue; the events are read from a queue bound to their type " +
            "(prefetch 1000, concurrency 64), as the benchmark reads the product's from the bridge's queue; persistent messages, publisher confirms, the bus's JSON serializer");
        result.Notes.Add($"per run {messagesPerRun} messages (1 start, {options.Steps} commands, {options.Steps} replies, {2 * options.Steps + 1} events), " +
            "one event fewer than the product (which publishes step-complete before workflow-complete); steps counted and step latency measured from the events, as for (3)");

        var runs = new FloorRunObserver(options.Steps);
        var orchestratorAddress = new Uri("queue:" + OrchestratorQueue);
        var workerAddress = new Uri("queue:" + WorkerQueue);
        var floorOrchestrator = new FloorOrchestrator(options.Steps, workerAddress);
        var endpoints = new List<HostReceiveEndpointHandle>();
        try
        {
            endpoints.Add(bus.ConnectReceiveEndpoint(EventsQueue, e =>
            {
                e.PrefetchCount = 1000;
                e.ConcurrentMessageLimit = 64;
                e.Handler<FloorLifecycleEvent>(c =>
                {
                    runs.Observe(c.Message);
                    return Task.CompletedTask;
                });
            }));
            endpoints.Add(bus.ConnectReceiveEndpoint(WorkerQueue, e =>
            {
                e.PrefetchCount = options.EffectivePrefetch;
                e.ConcurrentMessageLimit = BenchmarkBus.ConsumerConcurrency;
                e.Instance(new FloorWorker(orchestratorAddress));
            }));
            endpoints.Add(bus.ConnectReceiveEndpoint(OrchestratorQueue, e =>
            {
                e.PrefetchCount = options.EffectivePrefetch;
                e.ConcurrentMessageLimit = sagaConcurrency;
                e.Instance(floorOrchestrator);
            }));
            await Task.WhenAll(endpoints.Select(h => h.Ready)).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);

            var orchestrator = await bus.GetSendEndpoint(orchestratorAddress);
            var cpu = new CpuMeter(null, () => runs.StepsCompleted);
            var load = await ClosedLoop.RunAsync(options.Concurrency, context.WarmUp(hosts: false), options.Duration, async (_, ct) =>
            {
                var runId = NewId.NextGuid();
                var tracker = runs.Track(runId);
                try
                {
                    await orchestrator.Send(new FloorStartRun
                    {
                        RunId = runId,
                        WorkflowId = floorOrchestrator.WorkflowId,
                        Timestamp = DateTimeOffset.UtcNow,
                        Data = BenchmarkWorkflows.Input,
                    }, ct);
                    await tracker.Finished.WaitAsync(options.OperationTimeout, ct);
                    return new Outcome<IReadOnlyList<double>>(true, tracker.Steps());
                }
                catch (TimeoutException)
                {
                    return new Outcome<IReadOnlyList<double>>(false, null, $"run {runId} did not finish within {options.OperationTimeout.TotalSeconds} s");
                }
                finally
                {
                    runs.Forget(runId);
                }
            }, cancellationToken, cpu);

            var usage = cpu.Usage();
            BenchmarkContext.AddWarmUp(result, load.WarmedUp);
            var steps = LatencySummary.Of(load.Details.SelectMany(s => s));
            var stepCount = (int)usage.Work;
            var stepsPerSecond = usage.Wall.TotalSeconds > 0 ? usage.Work / usage.Wall.TotalSeconds : 0;
            SequentialWorkflowScenario.AddThroughput(result, "steps/s (steps completed in the window)", stepsPerSecond, options.Steps, steps, load.Latency)
                .Add("messagesPerStep", "messages through the broker per step (a round trip of (1) is 2)", messagesPerRun / (double)options.Steps, "")
                .Add("cpuBenchmarkMsPerStep", "CPU, benchmark (orchestrator, worker and event consumers), per step", RequestResponseScenario.PerOp(usage.Benchmark, stepCount), "ms")
                .Add("cpuBrokerMsPerStep", "CPU, broker, per step", RequestResponseScenario.PerOp(usage.Broker, stepCount), "ms")
                .Add("benchmarkCpuUtilisation", "benchmark CPU / wall time (1 = one core busy)", Cores(usage.Benchmark, usage), "cores")
                .Add("brokerCpuUtilisation", "broker CPU / wall time (1 = one core busy)", Cores(usage.Broker, usage), "cores")
                .Add("completed", "runs completed in the window (latency sample)", load.Completed, "")
                .Add("stepsMeasured", "steps completed in the window", stepCount, "");
            result.FailIf(load.CompletedOverall == 0, "no run completed");
            result.FailIf(load.Failed > 0, $"{load.Failed} runs failed: {load.FirstError}");
            return result;
        }
        finally
        {
            // The queues stay (the virtual host goes at the end); their consumers must not outlive the scenario.
            foreach (var endpoint in endpoints)
            {
                await endpoint.StopAsync(CancellationToken.None);
            }
        }
    }

    private static double Cores(TimeSpan cpu, CpuUsage usage) =>
        usage.Wall.TotalMilliseconds > 0 ? cpu.TotalMilliseconds / usage.Wall.TotalMilliseconds : 0;
}
