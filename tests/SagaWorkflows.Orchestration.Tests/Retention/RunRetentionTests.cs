using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SagaWorkflows.Contracts;
using SagaWorkflows.Orchestration.Monitoring;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.Orchestration.Retention;
using SagaWorkflows.Orchestration.Runs;
using SagaWorkflows.Orchestration.Tests.Embedded;
using SagaWorkflows.Orchestration.Tests.Monitoring;
using Xunit.Abstractions;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Orchestration.Tests.Retention;

public class RunRetentionTests(ITestOutputHelper output)
{
    private const string Echo = """{ "id": "quick", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""";

    [Fact]
    public async Task Thousands_of_finished_runs_are_purged_in_batches_while_new_runs_keep_completing_and_the_store_shrinks()
    {
        await using var system = await EmbeddedSystem.StartAsync(orchestrator: o =>
        {
            o.RetentionInterval = TimeSpan.FromHours(1); // the test triggers the purge itself
            o.RetentionBatchSize = 250;
        });
        var old = DateTime.UtcNow - TimeSpan.FromDays(8);
        var seeded = await SeedAsync(system.ConnectionString, finished: 4000, old);
        var keptRunning = NewRun("Running", old);
        var keptRecent = NewRun("Completed", DateTime.UtcNow - TimeSpan.FromDays(1));
        var keptUndelivered = NewRun("Failed", old);
        await using (var db = Open(system.ConnectionString))
        {
            db.Runs.AddRange(keptRunning, keptRecent, keptUndelivered);
            db.Set<OutboxMessage>().Add(Leftover(keptUndelivered.CorrelationId, DateTime.UtcNow - TimeSpan.FromDays(1)));
            await db.SaveChangesAsync();
        }

        var baseline = await TimeRunsAsync(system, 10);

        var retention = system.Services.GetRequiredService<RunRetention>();
        var purge = retention.PurgeAsync(TimeSpan.FromDays(7), CancellationToken.None);
        var during = new List<TimeSpan>();
        while (!purge.IsCompleted)
        {
            during.AddRange(await TimeRunsAsync(system, 1));
        }

        var purged = await purge;
        output.WriteLine($"purged {purged} runs; run latency before: median {Median(baseline)} ms; during the purge ({during.Count} runs): median {Median(during)} ms, max {during.DefaultIfEmpty().Max().TotalMilliseconds:0} ms");

        Assert.Equal(seeded.Count, purged);
        await using var after = Open(system.ConnectionString);
        Assert.Equal(0, await after.Runs.CountAsync(r => seeded.Contains(r.CorrelationId)));
        Assert.Equal(0, await after.Set<WorkflowRunPart>().CountAsync(p => seeded.Contains(p.RunId)));
        Assert.Equal(0, await after.Set<OutboxMessage>().CountAsync(m => seeded.Contains(m.SagaCorrelationId)));
        var kept = await after.Runs.Select(r => r.CorrelationId).ToListAsync();
        Assert.Contains(keptRunning.CorrelationId, kept);
        Assert.Contains(keptRecent.CorrelationId, kept);
        Assert.Contains(keptUndelivered.CorrelationId, kept);
        Assert.Equal(baseline.Count + during.Count + 3, kept.Count); // the runs completed meanwhile are recent: kept
        Assert.All(during, d => Assert.True(d < TimeSpan.FromSeconds(5), $"a run took {d} during the purge"));
    }

    [Fact]
    public async Task Sagawf_purge_deletes_every_finished_run_now_but_keeps_those_whose_last_messages_are_not_delivered_yet()
    {
        await using var system = await EmbeddedSystem.StartAsync(orchestrator: o => o.RetentionInterval = TimeSpan.FromHours(1));
        var first = await system.RunAsync(Echo);
        var second = await system.RunAsync(Echo);
        var undelivered = NewRun("Completed", DateTime.UtcNow);
        await using (var db = Open(system.ConnectionString))
        {
            db.Runs.Add(undelivered);
            db.Set<OutboxMessage>().Add(Leftover(undelivered.CorrelationId, DateTime.UtcNow));
            await db.SaveChangesAsync();
        }

        await using var after = Open(system.ConnectionString);

        // Delivered messages leave the outbox with the next commit or relay pass; until then they keep their run.
        await Poll.UntilAsync(
            async () => !await after.Set<OutboxMessage>().AnyAsync(m => m.SagaCorrelationId == first[0].RunId || m.SagaCorrelationId == second[0].RunId),
            TimeSpan.FromSeconds(15), "the runs' messages left the outbox");

        await system.Bus.Publish(new PurgeFinishedRuns { OlderThan = TimeSpan.Zero });
        await Poll.UntilAsync(
            async () => !await after.Runs.AnyAsync(r => r.CorrelationId == first[0].RunId || r.CorrelationId == second[0].RunId),
            TimeSpan.FromSeconds(15), "the finished runs were purged");

        Assert.Equal([undelivered.CorrelationId], await after.Runs.Select(r => r.CorrelationId).ToListAsync());
    }

    [Fact]
    public async Task The_store_gauges_report_runs_in_flight_the_outbox_backlog_and_its_oldest_message_age()
    {
        using var directory = new TempDirectory("sagawf-gauges-");
        var connectionString = $"Data Source={directory.Combine("w.db")}";
        var now = DateTime.UtcNow;
        await using (var db = Open(connectionString))
        {
            await db.EnsureSagaStoreCreatedAsync();
            db.Runs.AddRange(NewRun("Running", now), NewRun("Suspended", now), NewRun("Compensating", now), NewRun("Completed", now), NewRun("Failed", now));
            var id = Guid.NewGuid();
            db.Set<OutboxMessage>().AddRange(Leftover(id, now - TimeSpan.FromSeconds(30)), Leftover(id, now - TimeSpan.FromSeconds(5)));
            await db.SaveChangesAsync();
        }

        var services = new ServiceCollection().AddMetrics()
            .AddPooledDbContextFactory<WorkflowDbContext>(o => o.UseSqliteSagaStore(connectionString))
            .BuildServiceProvider();
        await using var owned = services;
        var meters = services.GetRequiredService<IMeterFactory>();
        using var gauges = new WorkflowStoreGauges(meters, services.GetRequiredService<IDbContextFactory<WorkflowDbContext>>(), TimeProvider.System,
            NullLogger<WorkflowStoreGauges>.Instance);
        using var capture = new TelemetryCapture();

        capture.CollectGauges();

        double Gauge(string name) => Assert.Single(capture.Named(name), m => m.Meter.Scope == meters).Value;
        Assert.Equal(3, Gauge("sagawf.runs.active"));
        Assert.Equal(2, Gauge("sagawf.outbox.backlog"));
        Assert.InRange(Gauge("sagawf.outbox.delivery_lag"), 29, 60);
    }

    private static async Task<List<TimeSpan>> TimeRunsAsync(EmbeddedSystem system, int count)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            var events = await system.RunAsync(Echo);
            times.Add(watch.Elapsed);
            Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        }

        return times;
    }

    private static string Median(List<TimeSpan> times) =>
        times.Count == 0 ? "-" : times.Order().ElementAt(times.Count / 2).TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<HashSet<Guid>> SeedAsync(string connectionString, int finished, DateTime at)
    {
        string[] states = ["Completed", "Failed", "Cancelled", "Compensated", "CompensationFailed"];
        var ids = new HashSet<Guid>();
        for (var offset = 0; offset < finished; offset += 1000)
        {
            await using var db = Open(connectionString);
            for (var i = offset; i < Math.Min(finished, offset + 1000); i++)
            {
                var run = NewRun(states[i % states.Length], at.AddSeconds(i));
                ids.Add(run.CorrelationId);
                db.Runs.Add(run);
                db.Set<WorkflowRunPart>().Add(new WorkflowRunPart { RunId = run.CorrelationId, Key = "fan#results/0", Json = "[1,2,3]" });
                if (i % 40 == 0)
                {
                    db.Set<OutboxMessage>().Add(Leftover(run.CorrelationId, at));
                }
            }

            await db.SaveChangesAsync();
        }

        return ids;
    }

    private static WorkflowRun NewRun(string state, DateTime updatedAt) => new()
    {
        CorrelationId = Guid.NewGuid(),
        CurrentState = state,
        Version = 1,
        WorkflowId = "seeded",
        DefinitionJson = "{}",
        StateJson = "{}",
        CreatedAt = updatedAt,
        UpdatedAt = updatedAt,
    };

    /// <summary>An outbox row the relay cannot deliver (its type is unknown here): it stays until retention removes it.</summary>
    private static OutboxMessage Leftover(Guid runId, DateTime createdAt) => new()
    {
        Id = Guid.NewGuid(),
        SagaCorrelationId = runId,
        CreatedAt = DateTime.SpecifyKind(createdAt, DateTimeKind.Utc),
        MessageType = "SagaWorkflows.Tests.Missing, SagaWorkflows.Tests.Missing",
        Body = "{}",
    };

    private static WorkflowDbContext Open(string connectionString) =>
        new(new DbContextOptionsBuilder<WorkflowDbContext>().UseSqliteSagaStore(connectionString).Options);
}
