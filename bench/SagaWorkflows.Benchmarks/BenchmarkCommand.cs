using SagaWorkflows.Testing;
using System.CommandLine;
using System.Globalization;
using SagaWorkflows.Benchmarks.Infrastructure;

namespace SagaWorkflows.Benchmarks;

/// <summary>The command line: every size of <see cref="BenchmarkOptions"/> as an option.</summary>
public static class BenchmarkCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var defaults = new BenchmarkOptions { OutputDirectory = "" };
        var quick = new Option<bool>("--quick") { Description = "Tiny sizes: proves every scenario runs, in seconds. Figures are meaningless." };
        var output = new Option<string?>("--out", "-o") { Description = "Directory for benchmark.json and benchmark.md [default: bench/results/<UTC time>]." };
        var scenarios = new Option<string[]>("--scenarios", "-s")
        {
            Description = $"Scenarios to run, comma or space separated [default: all]: {string.Join(", ", ScenarioIds.All)}; "
                + $"by name only: {string.Join(", ", ScenarioIds.Optional)} (SQLite beside PostgreSQL, 1 and 3 orchestrators; needs build/ensure-postgres.sh).",
            AllowMultipleArgumentsPerToken = true,
        };
        var duration = new Option<double?>("--duration", "-d") { Description = $"Measured seconds per throughput scenario [default: {defaults.Duration.TotalSeconds}]." };
        var warmup = new Option<double?>("--warmup") { Description = $"Shortest warm-up before each throughput scenario's window, in seconds; it lasts until the JIT of the processes at work settled [default: {defaults.Warmup.TotalSeconds}]." };
        var warmupLimit = new Option<double?>("--warmup-limit") { Description = $"Longest warm-up in seconds: the window starts then even if the JIT is still busy [default: {defaults.WarmupLimit.TotalSeconds}]." };
        var steps = new Option<int?>("--steps", "-n") { Description = $"N: steps per sequential and step-floor run, activities per routing slip [default: {defaults.Steps}]." };
        var concurrency = new Option<int?>("--concurrency", "-m") { Description = $"M: concurrent requesters, routing slips, runs in flight [default: {defaults.Concurrency}]." };
        var branches = new Option<int?>("--parallel-branches") { Description = $"Branches of the parallel fan-out [default: {defaults.ParallelBranches}]." };
        var items = new Option<int?>("--foreach-items") { Description = $"Items of the foreach fan-out [default: {defaults.ForeachItems}]." };
        var itemConcurrency = new Option<int?>("--foreach-concurrency") { Description = $"Concurrency of the foreach fan-out [default: {defaults.ForeachConcurrency}]." };
        var fanOutRepeat = new Option<int?>("--fan-out-repeat") { Description = $"Runs of each fan-out shape; the median is reported [default: {defaults.FanOutRepeat}]." };
        var shortSteps = new Option<int?>("--short-steps") { Description = $"Steps of the short runs of the scaling scenario [default: {defaults.ShortRunSteps}]." };
        var shortRuns = new Option<int?>("--short-runs") { Description = $"Short runs, one after another [default: {defaults.ShortRuns}]." };
        var longSteps = new Option<int?>("--long-steps") { Description = $"Steps of the long run of the scaling scenario [default: {defaults.LongRunSteps}]." };
        var suspended = new Option<int?>("--suspended-runs") { Description = $"Runs left waiting on a signal for the memory scenario [default: {defaults.SuspendedRuns}]." };
        var prefetch = new Option<ushort?>("--prefetch") { Description = "RabbitMQ prefetch of every endpoint, SagaWorkflows hosts included [default: the product's 64]." };
        var sagaConcurrency = new Option<int?>("--saga-concurrency") { Description = "Orchestrator ConcurrentMessageLimit, the step floor's orchestrator consumer's too [default: the product's]." };
        var partitions = new Option<int?>("--partitions") { Description = "Orchestrator PartitionCount (0 turns partitioning off) [default: the product's]." };
        var hostEnvironment = new Option<string[]>("--host-env")
        {
            Description = "KEY=VALUE set in the orchestrator's and worker's environment, e.g. DOTNET_gcServer=1 or SagaWorkflows__Orchestrator__PartitionCount=8; repeatable.",
        };
        var hotPath = new Option<int?>("--hot-path-iterations") { Description = $"Store transactions timed per state size by the hot-path probe [default: {defaults.HotPathIterations}]." };
        var host = new Option<string?>("--rabbitmq-host") { Description = $"Broker host [default: {defaults.RabbitMqHost}]; a virtual host is created for the run (guest/guest)." };
        var port = new Option<int?>("--rabbitmq-port") { Description = $"Broker AMQP port [default: {defaults.RabbitMqPort}]." };
        var node = new Option<string?>("--rabbitmq-node") { Description = $"Node name for rabbitmqctl [default: $RABBITMQ_NODENAME or {defaults.RabbitMqNode}]." };

        var root = new RootCommand("""
            SagaWorkflows benchmark: raw MassTransit request/response, a Courier routing slip, a raw imitation of the
            messages of a SagaWorkflows step (its floor) and SagaWorkflows runs, on the same RabbitMQ broker in one run.
            Each run gets its own virtual host and a temporary SQLite file.
            Prints a table and writes benchmark.json and benchmark.md.
            """)
        {
            quick, output, scenarios, duration, warmup, warmupLimit, steps, concurrency, branches, items, itemConcurrency, fanOutRepeat,
            shortSteps, shortRuns, longSteps, suspended, prefetch, sagaConcurrency, partitions, hostEnvironment, hotPath, host, port, node,
        };

        root.SetAction(async (parse, cancellationToken) =>
        {
            var selected = (parse.GetValue(scenarios) ?? [])
                .SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToList();
            var unknown = selected.Where(s => !ScenarioIds.Known.Contains(s)).ToList();
            if (unknown.Count > 0)
            {
                await Console.Error.WriteLineAsync($"unknown scenario(s): {string.Join(", ", unknown)}; known: {string.Join(", ", ScenarioIds.Known)}");
                return 2;
            }

            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(hostEnvironment) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    await Console.Error.WriteLineAsync($"--host-env expects KEY=VALUE, got '{pair}'");
                    return 2;
                }

                environment[pair[..equals]] = pair[(equals + 1)..];
            }

            var options = new BenchmarkOptions
            {
                OutputDirectory = parse.GetValue(output)
                    ?? Path.Combine(RepositoryPaths.Root, "bench", "results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
            };
            if (parse.GetValue(quick))
            {
                options = options.Quick();
            }

            // Explicit sizes win over the quick preset, so a quick run can still be shaped.
            options = options with
            {
                Scenarios = selected.Count > 0 ? selected.ToHashSet(StringComparer.Ordinal) : options.Scenarios,
                Duration = Seconds(parse.GetValue(duration)) ?? options.Duration,
                Warmup = Seconds(parse.GetValue(warmup)) ?? options.Warmup,
                WarmupLimit = Seconds(parse.GetValue(warmupLimit)) ?? options.WarmupLimit,
                Steps = Positive(parse.GetValue(steps)) ?? options.Steps,
                Concurrency = Positive(parse.GetValue(concurrency)) ?? options.Concurrency,
                ParallelBranches = Positive(parse.GetValue(branches)) ?? options.ParallelBranches,
                ForeachItems = Positive(parse.GetValue(items)) ?? options.ForeachItems,
                ForeachConcurrency = Positive(parse.GetValue(itemConcurrency)) ?? options.ForeachConcurrency,
                FanOutRepeat = Positive(parse.GetValue(fanOutRepeat)) ?? options.FanOutRepeat,
                ShortRunSteps = Positive(parse.GetValue(shortSteps)) ?? options.ShortRunSteps,
                ShortRuns = Positive(parse.GetValue(shortRuns)) ?? options.ShortRuns,
                LongRunSteps = Positive(parse.GetValue(longSteps)) ?? options.LongRunSteps,
                SuspendedRuns = Positive(parse.GetValue(suspended)) ?? options.SuspendedRuns,
                PrefetchCount = parse.GetValue(prefetch) ?? options.PrefetchCount,
                SagaConcurrency = Positive(parse.GetValue(sagaConcurrency)) ?? options.SagaConcurrency,
                Partitions = parse.GetValue(partitions) is >= 0 and var p ? p : options.Partitions,
                HotPathIterations = Positive(parse.GetValue(hotPath)) ?? options.HotPathIterations,
                HostEnvironment = environment,
                RabbitMqHost = parse.GetValue(host) ?? options.RabbitMqHost,
                RabbitMqPort = parse.GetValue(port) ?? options.RabbitMqPort,
                RabbitMqNode = parse.GetValue(node) ?? options.RabbitMqNode,
            };

            return await BenchmarkRunner.RunAsync(options, cancellationToken);
        });

        var result = root.Parse(args);
        return await result.InvokeAsync();
    }

    private static TimeSpan? Seconds(double? value) => value is > 0 ? TimeSpan.FromSeconds(value.Value) : null;

    private static int? Positive(int? value) => value is > 0 ? value : null;
}
