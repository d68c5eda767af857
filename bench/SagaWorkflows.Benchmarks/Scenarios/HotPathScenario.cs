using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
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
/// A profile of one saga transition without the bus, built from the orchestrator's own pieces:
/// what WorkflowRunner does per message (state JSON in and out, definition lookup, engine), what the saga
/// store does as shipped (a load on a cache miss through a pooled WorkflowDbContext and the compiled
/// no-tracking query; the transition's versioned row update and outbox rows committed by SagaStoreWriter,
/// one transition per commit versus 16 concurrent ones grouped), and what delivering a step's three
/// messages costs with publisher confirms, one after another versus together.
/// </summary>
public static class HotPathScenario
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public static async Task<ScenarioResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var result = new ScenarioResult(ScenarioIds.HotPath, "Hot path of one step, in-process");
        result.Notes.Add($"engine + JSON: every transition of a {options.ShortRunSteps}-step run, a {options.LongRunSteps}-step run and a foreach of {options.ForeachItems} items; " +
            $"store: the shipped path (pooled WorkflowDbContext, SagaQueries.Load, SagaStoreWriter) on a temporary SQLite file (WAL) per state size and variant: " +
            $"{options.HotPathIterations} loads, {options.HotPathIterations} transitions alone, {options.HotPathIterations} rounds of {ConcurrentTransitions} concurrent transitions " +
            "(each a versioned UPDATE of the run row with the peak state + the transition's 3 outbox rows + the delete of the previous transition's delivered rows; " +
            "outbox rows are built before the clock starts, their cost is the outbox rows figure above; process CPU includes the writer's thread and any background JIT/GC); " +
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
                .Add($"{name}LargestStateBytes", $"{steps}-step run: largest run row JSON (stored with every step)", costs.LargestState.Length, "B")
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
            result.Add($"{name}JsonUs", $"{shape}: RunState in (row and parts, as on a cache miss) + out (row and changed parts)", costs.Deserialize + costs.Serialize, "us")
                .Add($"{name}EngineUs", $"{shape}: WorkflowEngine.Handle", costs.Engine, "us")
                .Add($"{name}TransitionCpuUs", $"{shape}: per transition, all in", costs.Total, "us")
                .Add($"{name}LargestStateBytes", $"{shape}: largest run row JSON (foreach items and results are parts beside it)", costs.LargestState.Length, "B")
                .Add($"{name}MedianStateBytes", $"{shape}: median run row JSON, what a transition writes", costs.MedianStateBytes, "B");
        }

        result.Notes.Add($"store: outbox rows per transition: {Describe(shortRun.StepMessages)} ({options.ShortRunSteps}-step run), {Describe(longRun.StepMessages)} ({options.LongRunSteps}-step run); " +
            $"the run row holds the largest state JSON and the definition JSON ({shortRun.DefinitionBytes} B and {longRun.DefinitionBytes} B), both rewritten by every versioned UPDATE (it writes every column)");
        var synchronousReadBack = new List<string>();
        foreach (var (name, costs) in new[] { ("short", shortRun), ("long", longRun) })
        {
            var steps = name == "short" ? options.ShortRunSteps : options.LongRunSteps;
            foreach (var normal in new[] { false, true })
            {
                var file = Path.Combine(context.WorkDirectory, $"hot-path-{name}-{(normal ? "normal" : "full")}.db");
                var timing = await StoreTransitionsAsync(file, costs, normal, options.HotPathIterations, cancellationToken);
                var key = $"{name}Store{(normal ? "SyncNormal" : "")}";
                var label = $"store, {steps}-step state{(normal ? ", synchronous=NORMAL" : "")}";
                synchronousReadBack.Add($"{steps}-step {(normal ? "variant" : "as shipped")}: {timing.Synchronous}");
                if (!normal)
                {
                    // Reads do not depend on synchronous: measured once, as shipped.
                    result.Add($"{key}LoadMs", $"{label}: load (cache miss)", timing.Load, "ms");
                }

                result.Add($"{key}CommitAloneMs", $"{label}: commit of one transition alone (fsync each)", timing.Alone, "ms")
                    .Add($"{key}CommitAloneCpuMs", $"{label}: commit alone, process CPU per transition", timing.AloneCpu, "ms")
                    .Add($"{key}GroupCommitMs", $"{label}: group commit of {ConcurrentTransitions} concurrent transitions, per transition", timing.Group, "ms")
                    .Add($"{key}GroupTransitionsPerCommit", $"{label}: group commit, transitions per commit", timing.TransitionsPerCommit, "")
                    .Add($"{key}GroupCpuMs", $"{label}: group commit, process CPU per transition", timing.GroupCpu, "ms");
            }
        }

        result.Notes.Add($"store: PRAGMA synchronous read back through the store's DbContext factory: {string.Join(", ", synchronousReadBack)} " +
            "(the synchronous=NORMAL variant sets it with a connection interceptor, on the writer's connection too)");

        var (sequential, parallel) = await ConfirmsAsync(context, options.HotPathIterations, cancellationToken);
        result.Add("confirmSequentialMs", "3 sends awaited one after another (as the saga delivers)", sequential, "ms")
            .Add("confirmParallelMs", "3 sends awaited together", parallel, "ms");
        return result;
    }

    private sealed record TransitionCosts(double Deserialize, double DefinitionLookup, double Engine, double Serialize, double OutboxRows,
        int DefinitionBytes, string LargestState, int MedianStateBytes, string Definition, IReadOnlyList<OutboxItem> StepMessages)
    {
        public double Total => Deserialize + DefinitionLookup + Engine + Serialize + OutboxRows;
    }

    /// <summary>
    /// Drives runs through the engine as WorkflowRunner does, timing each part: every step command is answered
    /// (echoing its input) in the order it was sent, one reply per transition, as the saga's queue delivers them.
    /// </summary>
    private static void Store(WorkflowRun run, Dictionary<string, string> parts)
    {
        foreach (var change in run.PartChanges)
        {
            var part = (WorkflowRunPart)change.Entity;
            if (change.Delete)
            {
                parts.Remove(part.Key);
            }
            else
            {
                parts[part.Key] = part.Json;
            }
        }

        run.PartChanges.Clear();
    }

    private static TransitionCosts Transitions(string json, JsonElement runInput, int runs)
    {
        var definitions = new DefinitionCache();
        var definition = definitions.Get(json).Definition ?? throw new InvalidOperationException("the benchmark's definition is invalid");
        var input = JsonNode.Parse(runInput.GetRawText());
        long deserialize = 0, lookup = 0, engine = 0, serialize = 0, outbox = 0;
        var transitions = 0;
        var largest = "";
        List<int> sizes = [];
        IReadOnlyList<OutboxItem> largestMessages = [];
        for (var r = 0; r < runs; r++)
        {
            var runId = NewId.NextGuid();
            var started = WorkflowEngine.Start(definition, runId, input, Now);
            // As the runner stores it: the run row's JSON, plus the parts (foreach items and results) it changed.
            Dictionary<string, string> parts = new(StringComparer.Ordinal);
            var run = new WorkflowRun { CorrelationId = runId };
            var state = RunStateCodec.Encode(started.State, run);
            Store(run, parts);
            var pending = new Queue<ExecuteTool>(Commands(started.Effects));
            while (pending.TryDequeue(out var command))
            {
                var output = command.Input is { } element ? JsonNode.Parse(element.GetRawText()) : null;

                var t0 = Stopwatch.GetTimestamp();
                // Read back (a cache miss): the row and every part of the run.
                run = new WorkflowRun { CorrelationId = runId, StateJson = state, StoredParts = new Dictionary<string, string>(parts, StringComparer.Ordinal) };
                var loaded = RunStateCodec.Decode(run);
                var t1 = Stopwatch.GetTimestamp();
                _ = definitions.Get(json);
                var t2 = Stopwatch.GetTimestamp();
                var next = WorkflowEngine.Handle(definition, loaded, new StepSucceeded(command.ExecutionId, 1, output), Now);
                var t3 = Stopwatch.GetTimestamp();
                state = RunStateCodec.Encode(next.State, run);
                var t4 = Stopwatch.GetTimestamp();
                Store(run, parts);
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

                sizes.Add(state.Length);
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
            json.Length, largest, sizes.Count > 0 ? sizes.Order().ElementAt(sizes.Count / 2) : 0, json, largestMessages);
    }

    private static IEnumerable<ExecuteTool> Commands(IEnumerable<EngineEffect> effects) =>
        effects.OfType<SendStepCommand>().Select(s => s.Command).OfType<ExecuteTool>();

    private static OutboxItem? ToOutboxItem(EngineEffect effect) => effect switch
    {
        PublishLifecycleEvent e => new OutboxItem(e.Event, typeof(WorkflowLifecycleEvent), null),
        SendStepCommand s => new OutboxItem(s.Command, s.Command.GetType(), new Uri("queue:" + s.Queue)),
        _ => null,
    };

    /// <summary>Runs written at the same time in the group-commit part: as many consumes as the saga endpoint runs at once.</summary>
    private const int ConcurrentTransitions = 16;

    private static string Describe(IReadOnlyList<OutboxItem> messages) =>
        string.Join(" + ", messages.GroupBy(m => m.Message.GetType().Name).Select(g => $"{g.Count()} {g.Key}"));

    private sealed record StoreTiming(string Synchronous, double Load, double Alone, double AloneCpu, double Group, double TransitionsPerCommit, double GroupCpu);

    /// <summary>
    /// The saga store's path for one message as shipped (EfSagaRepositoryContextFactory): a load on a cache miss
    /// through a pooled DbContext, then the transition's versioned row update and outbox rows handed to the
    /// group-commit writer, which also deletes the outbox rows delivered since its last commit.
    /// </summary>
    private static async Task<StoreTiming> StoreTransitionsAsync(string file, TransitionCosts costs, bool synchronousNormal, int iterations,
        CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddPooledDbContextFactory<WorkflowDbContext>(o =>
        {
            o.UseSqliteSagaStore($"Data Source={file}");
            if (synchronousNormal)
            {
                o.AddInterceptors(new SynchronousNormalInterceptor());
            }
        });
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<WorkflowDbContext>>();
        string synchronous;
        await using (var db = await factory.CreateDbContextAsync(cancellationToken))
        {
            await db.EnsureSagaStoreCreatedAsync(cancellationToken);
            synchronous = await SynchronousAsync(db, cancellationToken);
        }

        await using var writer = new SagaStoreWriter<WorkflowDbContext>(factory, new SagaStore<WorkflowDbContext>(factory));
        var alone = NewRun(costs);
        var group = Enumerable.Range(0, ConcurrentTransitions).Select(_ => NewRun(costs)).ToArray();
        var seed = new SagaStoreWrite(group.Prepend(alone).Select(r => new SagaRowWrite(SagaRowOperation.Insert, r, typeof(WorkflowRun), r.CorrelationId, 0)).ToList(), []);
        Written(await writer.WriteAsync(seed));

        // 1. Load on a cache miss: rent a pooled DbContext, run the compiled no-tracking query, return the context.
        const int warmup = 30;
        long load = 0;
        for (var i = -warmup; i < iterations; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            await using (var db = await factory.CreateDbContextAsync(cancellationToken))
            {
                _ = await writer.Store.Queries<WorkflowRun>().Load(db, alone.CorrelationId, cancellationToken) ?? throw new InvalidOperationException("the stored run was not found");
            }

            if (i >= 0)
            {
                load += Stopwatch.GetTimestamp() - t0;
            }
        }

        // 2. One transition at a time: every commit (and fsync) carries exactly one.
        var rows = Outbox(alone.CorrelationId, costs, warmup + iterations);
        long aloneTicks = 0;
        var cpuBefore = TimeSpan.Zero;
        IReadOnlyList<Guid> delivered = [];
        for (var i = -warmup; i < iterations; i++)
        {
            if (i == 0)
            {
                cpuBefore = ProcessCpu();
            }

            // As after a delivery: the previous transition's rows are deleted with this commit.
            writer.Store.Delivered.Add(delivered);
            var write = Transition(alone, rows[i + warmup]);
            var t0 = Stopwatch.GetTimestamp();
            Written(await writer.WriteAsync(write));
            if (i >= 0)
            {
                aloneTicks += Stopwatch.GetTimestamp() - t0;
            }

            delivered = write.Outbox.Select(x => x.Row.Id).ToList();
        }

        var aloneCpu = (ProcessCpu() - cpuBefore).TotalMilliseconds / iterations;
        writer.Store.Delivered.Add(delivered);

        // 3. Group commit: each round hands the writer one transition of each of the runs at once, as concurrent consumes do.
        const int groupWarmup = 5;
        var groupRows = group.Select(r => Outbox(r.CorrelationId, costs, groupWarmup + iterations)).ToArray();
        long groupTicks = 0, committed = 0, commits = 0;
        for (var round = -groupWarmup; round < iterations; round++)
        {
            if (round == 0)
            {
                cpuBefore = ProcessCpu();
                committed = writer.Committed;
                commits = writer.Commits;
            }

            var writes = group.Select((r, n) => Transition(r, groupRows[n][round + groupWarmup])).ToList();
            var t0 = Stopwatch.GetTimestamp();
            var outcomes = await Task.WhenAll(writes.Select(writer.WriteAsync));
            if (round >= 0)
            {
                groupTicks += Stopwatch.GetTimestamp() - t0;
            }

            Array.ForEach(outcomes, Written);
            writer.Store.Delivered.Add(writes.SelectMany(w => w.Outbox).Select(x => x.Row.Id));
        }

        var transitions = iterations * ConcurrentTransitions;
        var groupCpu = (ProcessCpu() - cpuBefore).TotalMilliseconds / transitions;
        var perCommit = (double)(writer.Committed - committed) / Math.Max(1, writer.Commits - commits);

        double Ms(long ticks, int count) => ticks * 1000.0 / Stopwatch.Frequency / count;
        return new StoreTiming(synchronous, Ms(load, iterations), Ms(aloneTicks, iterations), aloneCpu, Ms(groupTicks, transitions), perCommit, groupCpu);
    }

    private static WorkflowRun NewRun(TransitionCosts costs) => new()
    {
        CorrelationId = NewId.NextGuid(),
        CurrentState = "Running",
        Version = 1,
        WorkflowId = "bench",
        WorkflowVersion = 1,
        DefinitionJson = costs.Definition,
        StateJson = costs.LargestState,
        CreatedAt = Now.UtcDateTime,
        UpdatedAt = Now.UtcDateTime,
    };

    /// <summary>A transition's outbox rows as the saga builds them, for <paramref name="count"/> transitions (built before any clock starts).</summary>
    private static List<StagedOutboxMessage>[] Outbox(Guid runId, TransitionCosts costs, int count) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            var now = DateTime.UtcNow;
            return costs.StepMessages.Select((item, n) => new StagedOutboxMessage(OutboxMessage.Create(runId, item, now, n), item)).ToList();
        }).ToArray();

    /// <summary>
    /// What the repository hands the writer for a loaded run: its row checked against the version it was loaded
    /// with, and the values it was loaded with, so only the changed columns (state, version, time) are written.
    /// </summary>
    private static SagaStoreWrite Transition(WorkflowRun run, List<StagedOutboxMessage> outbox)
    {
        var stored = Statements.Value.Snapshot(run);
        var expected = run.Version;
        run.Version = expected + 1;
        run.UpdatedAt = DateTime.UtcNow;
        // A new state every step, of the same size: the JSON with or without a trailing space.
        run.StateJson = run.StateJson.EndsWith(' ') ? run.StateJson[..^1] : run.StateJson + " ";
        return new SagaStoreWrite([new SagaRowWrite(SagaRowOperation.Update, run, typeof(WorkflowRun), run.CorrelationId, expected, stored)], outbox);
    }

    private static readonly Lazy<SagaRowStatements> Statements = new(() =>
    {
        using var db = new WorkflowDbContext(new DbContextOptionsBuilder<WorkflowDbContext>().UseSqlite("Data Source=:memory:").Options);
        return new SagaRowStatements(db.Model.FindEntityType(typeof(WorkflowRun))!, db.GetService<Microsoft.EntityFrameworkCore.Storage.ISqlGenerationHelper>());
    });

    private static void Written(SagaWriteOutcome outcome)
    {
        if (outcome != SagaWriteOutcome.Written)
        {
            throw new InvalidOperationException($"the store write failed: {outcome}");
        }
    }

    private static async Task<string> SynchronousAsync(WorkflowDbContext db, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous;";
            return await command.ExecuteScalarAsync(cancellationToken) switch
            {
                0L => "OFF",
                1L => "NORMAL",
                2L => "FULL",
                3L => "EXTRA",
                var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
            };
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>synchronous is per connection: set on every connection the store's DbContexts open, the writer's included.</summary>
    private sealed class SynchronousNormalInterceptor : DbConnectionInterceptor
    {
        private const string Pragma = "PRAGMA synchronous = NORMAL;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragma;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragma;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static async Task<(double Sequential, double Parallel)> ConfirmsAsync(BenchmarkContext context, int iterations, CancellationToken cancellationToken)
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
