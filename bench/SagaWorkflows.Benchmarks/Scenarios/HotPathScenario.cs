using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using SagaWorkflows.Benchmarks.Messages;
using SagaWorkflows.Benchmarks.Reporting;
using SagaWorkflows.Benchmarks.Workflows;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Orchestration.Definitions;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.Orchestration.Runs;

namespace SagaWorkflows.Benchmarks.Scenarios;

/// <summary>
/// A profile of one saga transition without the bus, built from the orchestrator's own public pieces:
/// what WorkflowRunner does per message (state JSON in and out, definition lookup, engine), what the EF
/// repository does (load, save with outbox rows, commit, delete the delivered rows), and what delivering
/// a step's three messages costs with publisher confirms, one after another versus together.
/// </summary>
public static class HotPathScenario
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var result = new ScenarioResult(ScenarioIds.HotPath, "Hot path of one step, in-process");
        result.Notes.Add($"engine + JSON: every transition of a {options.ShortRunSteps}-step run, a {options.LongRunSteps}-step run and a foreach of {options.ForeachItems} items; " +
            $"store: {options.HotPathIterations} transactions per variant on a temporary SQLite file (WAL) through WorkflowDbContext; " +
            $"confirms: {options.HotPathIterations} batches of 3 persistent sends (a step's step-complete, step-start, ExecuteTool)");

        var shortDefinition = BenchmarkWorkflows.Sequential(options.ShortRunSteps);
        Transitions(shortDefinition, BenchmarkWorkflows.Input, 3); // JIT warm-up
        var shortRun = Transitions(shortDefinition, BenchmarkWorkflows.Input, Math.Max(1, 1000 / options.ShortRunSteps));
        var longRun = Transitions(BenchmarkWorkflows.Sequential(options.LongRunSteps), BenchmarkWorkflows.Input, 1);
        foreach (var (name, costs) in new[] { ("short", shortRun), ("long", longRun) })
        {
            var steps = name == "short" ? options.ShortRunSteps : options.LongRunSteps;
            result.Add($"{name}StateDeserializeUs", $"{steps}-step run: RunState JSON -> object", costs.Deserialize, "us")
                .Add($"{name}DefinitionLookupUs", $"{steps}-step run: definition cache lookup (keyed by the JSON text)", costs.DefinitionLookup, "us")
                .Add($"{name}EngineUs", $"{steps}-step run: WorkflowEngine.Handle", costs.Engine, "us")
                .Add($"{name}StateSerializeUs", $"{steps}-step run: RunState object -> JSON", costs.Serialize, "us")
                .Add($"{name}OutboxRowsUs", $"{steps}-step run: outbox rows (message JSON)", costs.OutboxRows, "us")
                .Add($"{name}TransitionCpuUs", $"{steps}-step run: all of the above, per transition", costs.Total, "us")
                .Add($"{name}LargestStateBytes", $"{steps}-step run: largest state JSON (stored with every step)", costs.LargestState.Length, "B")
                .Add($"{name}DefinitionBytes", $"{steps}-step run: definition JSON (loaded with every message)", costs.DefinitionBytes, "B");
        }

        // A foreach keeps its items and results in the run's state; its body's "${ item }" input needs the expression engine.
        var items = BenchmarkWorkflows.ForeachInput(options.ForeachItems);
        Transitions(BenchmarkWorkflows.Foreach(5), BenchmarkWorkflows.ForeachInput(20), 1); // JIT warm-up
        Transitions(BenchmarkWorkflows.Foreach(5, renderInput: false), BenchmarkWorkflows.ForeachInput(20), 1);
        var withTemplate = Transitions(BenchmarkWorkflows.Foreach(options.ForeachConcurrency), items, 1);
        var withoutTemplate = Transitions(BenchmarkWorkflows.Foreach(options.ForeachConcurrency, renderInput: false), items, 1);
        foreach (var (name, label, costs) in new[] { ("foreachTemplate", "with \"${ item }\" input", withTemplate), ("foreachPlain", "without an input template", withoutTemplate) })
        {
            var shape = $"foreach of {options.ForeachItems} at {options.ForeachConcurrency}, {label}";
            result.Add($"{name}JsonUs", $"{shape}: RunState JSON in + out", costs.Deserialize + costs.Serialize, "us")
                .Add($"{name}EngineUs", $"{shape}: WorkflowEngine.Handle", costs.Engine, "us")
                .Add($"{name}TransitionCpuUs", $"{shape}: per transition, all in", costs.Total, "us")
                .Add($"{name}LargestStateBytes", $"{shape}: largest state JSON", costs.LargestState.Length, "B");
        }

        var store = Path.Combine(context.WorkDirectory, "hot-path.db");
        var dbOptions = new DbContextOptionsBuilder<WorkflowDbContext>().UseSqliteSagaStore($"Data Source={store}").Options;
        await using (var db = new WorkflowDbContext(dbOptions))
        {
            await db.EnsureSagaStoreCreatedAsync(cancellationToken);
        }

        foreach (var (name, costs) in new[] { ("short", shortRun), ("long", longRun) })
        {
            foreach (var synchronous in new[] { "FULL", "NORMAL" })
            {
                var timing = await StoreTransactions(dbOptions, costs, synchronous, options.HotPathIterations, cancellationToken);
                var key = $"{name}Store{(synchronous == "FULL" ? "" : "SyncNormal")}";
                var label = $"{(name == "short" ? options.ShortRunSteps : options.LongRunSteps)}-step state, synchronous={synchronous}{(synchronous == "FULL" ? " (as shipped)" : "")}";
                result.Add($"{key}LoadMs", $"store, {label}: begin + load", timing.Load, "ms")
                    .Add($"{key}SaveCommitMs", $"store, {label}: save + 3 outbox rows + commit", timing.SaveCommit, "ms")
                    .Add($"{key}DeleteMs", $"store, {label}: delete delivered outbox rows", timing.Delete, "ms")
                    .Add($"{key}CpuMs", $"store, {label}: process CPU meanwhile (EF Core + SQLite, plus any background JIT/GC)", timing.Cpu, "ms");
            }
        }

        var (sequential, parallel) = await Confirms(context, options.HotPathIterations, cancellationToken);
        result.Add("confirmSequentialMs", "3 sends awaited one after another (as the saga delivers)", sequential, "ms")
            .Add("confirmParallelMs", "3 sends awaited together", parallel, "ms");
        return result;
    }

    private sealed record TransitionCosts(double Deserialize, double DefinitionLookup, double Engine, double Serialize, double OutboxRows,
        int DefinitionBytes, string LargestState, string Definition, IReadOnlyList<OutboxItem> StepMessages)
    {
        public double Total => Deserialize + DefinitionLookup + Engine + Serialize + OutboxRows;
    }

    /// <summary>
    /// Drives runs through the engine as WorkflowRunner does, timing each part: every step command is answered
    /// (echoing its input) in the order it was sent, one reply per transition, as the saga's queue delivers them.
    /// </summary>
    private static TransitionCosts Transitions(string json, JsonElement runInput, int runs)
    {
        var definitions = new DefinitionCache();
        var definition = definitions.Get(json).Definition ?? throw new InvalidOperationException("the benchmark's definition is invalid");
        var input = JsonNode.Parse(runInput.GetRawText());
        long deserialize = 0, lookup = 0, engine = 0, serialize = 0, outbox = 0;
        var transitions = 0;
        var largest = "";
        IReadOnlyList<OutboxItem> largestMessages = [];
        for (var r = 0; r < runs; r++)
        {
            var runId = NewId.NextGuid();
            var started = WorkflowEngine.Start(definition, runId, input, Now);
            var state = JsonSerializer.Serialize(started.State, CoreJson.Options);
            var pending = new Queue<ExecuteTool>(Commands(started.Effects));
            while (pending.TryDequeue(out var command))
            {
                var output = command.Input is { } element ? JsonNode.Parse(element.GetRawText()) : null;

                var t0 = Stopwatch.GetTimestamp();
                var loaded = JsonSerializer.Deserialize<RunState>(state, CoreJson.Options)!;
                var t1 = Stopwatch.GetTimestamp();
                _ = definitions.Get(json);
                var t2 = Stopwatch.GetTimestamp();
                var next = WorkflowEngine.Handle(definition, loaded, new StepSucceeded(command.ExecutionId, 1, output), Now);
                var t3 = Stopwatch.GetTimestamp();
                state = JsonSerializer.Serialize(next.State, CoreJson.Options);
                var t4 = Stopwatch.GetTimestamp();
                var messages = next.Effects.Select(ToOutboxItem).OfType<OutboxItem>().ToList();
                foreach (var (item, sequence) in messages.Select((m, n) => (m, n)))
                {
                    _ = OutboxMessage.Create(runId, item, Now.UtcDateTime, sequence);
                }

                var t5 = Stopwatch.GetTimestamp();
                deserialize += t1 - t0;
                lookup += t2 - t1;
                engine += t3 - t2;
                serialize += t4 - t3;
                outbox += t5 - t4;
                transitions++;
                foreach (var sent in Commands(next.Effects))
                {
                    pending.Enqueue(sent);
                }

                if (state.Length > largest.Length)
                {
                    // Typically the state just before the last step: what the store reads and writes at the run's peak.
                    largest = state;
                    largestMessages = messages;
                }
            }
        }

        double Us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency / Math.Max(1, transitions);
        return new TransitionCosts(Us(deserialize), Us(lookup), Us(engine), Us(serialize), Us(outbox),
            json.Length, largest, json, largestMessages);
    }

    private static IEnumerable<ExecuteTool> Commands(IEnumerable<EngineEffect> effects) =>
        effects.OfType<SendStepCommand>().Select(s => s.Command).OfType<ExecuteTool>();

    private static OutboxItem? ToOutboxItem(EngineEffect effect) => effect switch
    {
        PublishLifecycleEvent e => new OutboxItem(e.Event, typeof(WorkflowLifecycleEvent), null),
        SendStepCommand s => new OutboxItem(s.Command, s.Command.GetType(), new Uri("queue:" + s.Queue)),
        _ => null,
    };

    private sealed record StoreTiming(double Load, double SaveCommit, double Delete, double Cpu);

    /// <summary>The EF repository's write path for one message: its transaction, then the outbox clean-up.</summary>
    private static async Task<StoreTiming> StoreTransactions(DbContextOptions<WorkflowDbContext> dbOptions, TransitionCosts costs, string synchronous,
        int iterations, CancellationToken cancellationToken)
    {
        var runId = NewId.NextGuid();
        await using (var db = new WorkflowDbContext(dbOptions))
        {
            db.Runs.Add(new WorkflowRun
            {
                CorrelationId = runId,
                CurrentState = "Running",
                Version = 1,
                WorkflowId = "bench",
                WorkflowVersion = 1,
                DefinitionJson = costs.Definition,
                StateJson = costs.LargestState,
                CreatedAt = Now.UtcDateTime,
                UpdatedAt = Now.UtcDateTime,
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        // EF only writes columns that changed: alternate between two states of (almost) the same size.
        var states = new[] { costs.LargestState, costs.LargestState + " " };
        long load = 0, save = 0, delete = 0;
        const int warmup = 30;
        var cpuBefore = TimeSpan.Zero;
        for (var i = -warmup; i < iterations; i++)
        {
            if (i == 0)
            {
                cpuBefore = ProcessCpu();
            }

            await using var db = new WorkflowDbContext(dbOptions);
            if (synchronous == "NORMAL")
            {
                // Per connection: keep this one open for the whole transaction.
                await db.Database.OpenConnectionAsync(cancellationToken);
                await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = NORMAL;", cancellationToken);
            }

            var t0 = Stopwatch.GetTimestamp();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var run = await db.Runs.AsTracking().SingleAsync(r => r.CorrelationId == runId, cancellationToken);
            var t1 = Stopwatch.GetTimestamp();
            run.StateJson = states[(i + warmup) % 2];
            run.Version++;
            run.UpdatedAt = DateTime.UtcNow;
            var rows = costs.StepMessages.Select((m, n) => OutboxMessage.Create(runId, m, DateTime.UtcNow, n)).ToList();
            db.AddRange(rows);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            var t2 = Stopwatch.GetTimestamp();
            var ids = rows.Select(r => r.Id).ToList();
            await db.Set<OutboxMessage>().Where(x => ids.Contains(x.Id)).ExecuteDeleteAsync(cancellationToken);
            var t3 = Stopwatch.GetTimestamp();
            if (i < 0)
            {
                continue;
            }

            load += t1 - t0;
            save += t2 - t1;
            delete += t3 - t2;
        }

        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / iterations;
        return new StoreTiming(Ms(load), Ms(save), Ms(delete), (ProcessCpu() - cpuBefore).TotalMilliseconds / iterations);
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static async Task<(double Sequential, double Parallel)> Confirms(BenchmarkContext context, int iterations, CancellationToken cancellationToken)
    {
        var endpoint = await context.Bus.Bus.GetSendEndpoint(context.Bus.ProbeAddress);
        ConfirmProbe Probe() => new() { Id = NewId.NextGuid(), Payload = BenchmarkWorkflows.Payload };
        for (var i = 0; i < 10; i++)
        {
            await endpoint.Send(Probe(), cancellationToken);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            await endpoint.Send(Probe(), cancellationToken);
            await endpoint.Send(Probe(), cancellationToken);
            await endpoint.Send(Probe(), cancellationToken);
        }

        var sequential = clock.Elapsed.TotalMilliseconds / iterations;
        clock.Restart();
        for (var i = 0; i < iterations; i++)
        {
            await Task.WhenAll(endpoint.Send(Probe(), cancellationToken), endpoint.Send(Probe(), cancellationToken), endpoint.Send(Probe(), cancellationToken));
        }

        return (sequential, clock.Elapsed.TotalMilliseconds / iterations);
    }
}
