using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Bridge.Streaming;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using SagaWorkflows.Contracts;
using Xunit.Abstractions;

namespace SagaWorkflows.Bridge.Tests.Operations;

public sealed class BridgeRetentionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int FinishedRuns = 3000;
    private const int EventsPerRun = 4;
    private readonly string _database = TestPaths.NewDatabase();
    private readonly DateTimeOffset _ended = DateTimeOffset.UtcNow - TimeSpan.FromDays(8);
    private readonly Guid _unfinished = Guid.NewGuid();
    private readonly Guid _recent = Guid.NewGuid();
    private readonly Guid _watched = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        await using var db = Open();
        await db.Database.EnsureCreatedAsync();
        long position = 0;
        for (var run = 0; run < FinishedRuns; run++)
        {
            Seed(db, Guid.NewGuid(), EventsPerRun, _ended, ref position);
            if (run % 1000 == 999)
            {
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }

        Seed(db, _watched, 10, _ended, ref position);
        Seed(db, _unfinished, 3, null, ref position);
        Seed(db, _recent, EventsPerRun, DateTimeOffset.UtcNow - TimeSpan.FromHours(1), ref position);
        db.RejectedSignals.Add(new RejectedSignalRecord { RunId = Guid.NewGuid(), Signal = "late", Reason = "no run", At = _ended });
        await db.SaveChangesAsync();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        TestPaths.DeleteDatabase(_database);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Thousands_of_finished_runs_are_purged_while_new_events_keep_being_relayed_and_the_store_shrinks()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?> { ["SagaWorkflows:Bridge:RetentionBatchSize"] = "250" }, _database);
        var retention = bridge.Services.GetRequiredService<BridgeRetention>();
        var before = new TestRun();
        var beforeEvents = before.Simple(steps: 20);
        var baseline = Stopwatch.StartNew();
        await bridge.PublishAsync(beforeEvents);
        await bridge.WaitForConsumedAsync(beforeEvents.Count, TimeSpan.FromSeconds(30));
        baseline.Stop();
        var live = new TestRun();
        var liveEvents = live.Simple(steps: 20);

        var watch = Stopwatch.StartNew();
        var purge = retention.PurgeAsync(TimeSpan.FromDays(7), CancellationToken.None);
        await bridge.PublishAsync(liveEvents);
        await bridge.WaitForConsumedAsync(beforeEvents.Count + liveEvents.Count, TimeSpan.FromSeconds(30));
        var relayedIn = watch.Elapsed;
        var purged = await purge;
        output.WriteLine($"purged {purged} runs in {watch.Elapsed.TotalMilliseconds:0} ms; {liveEvents.Count} live events relayed meanwhile in {relayedIn.TotalMilliseconds:0} ms (before the purge: {baseline.ElapsedMilliseconds} ms)");

        Assert.Equal(FinishedRuns + 1, purged); // the seeded runs that finished 8 days ago, the "watched" one included
        await using var db = Open();
        Assert.Equal(new[] { _unfinished, _recent, before.RunId, live.RunId }.Order(), (await db.Runs.Select(r => r.RunId).ToListAsync()).Order());
        Assert.Equal(3 + EventsPerRun + beforeEvents.Count + liveEvents.Count, await db.Events.CountAsync());
        Assert.Equal(0, await db.RejectedSignals.CountAsync());
        var snapshot = await bridge.Store.GetSnapshotAsync(live.RunId, CancellationToken.None);
        Assert.Equal(liveEvents.Count, snapshot!.LastSequence);
    }

    [Fact]
    public async Task A_stream_replaying_a_run_that_is_purged_meanwhile_ends_with_an_end_event_saying_so()
    {
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?> { ["SagaWorkflows:Bridge:HistoryPageSize"] = "2" }, _database);
        var options = bridge.Services.GetRequiredService<IOptions<BridgeOptions>>().Value;
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        var stream = new RunEventStream(bridge.Store, bridge.Hub.TrySubscribe(_watched)!, new SseCommentWriter(http.Response), options, CancellationToken.None);
        await using var items = stream.ReadAsync(_watched, 0).GetAsyncEnumerator();

        Assert.True(await items.MoveNextAsync());
        Assert.Equal("1", items.Current.EventId);
        Assert.True(await items.MoveNextAsync());
        Assert.Equal("2", items.Current.EventId);

        // Everything that finished long ago goes, the watched run included, while its stream sits between two pages.
        await bridge.Services.GetRequiredService<BridgeRetention>().PurgeAsync(TimeSpan.FromDays(7), CancellationToken.None);

        var rest = new List<SseItem<string>>();
        while (await items.MoveNextAsync())
        {
            rest.Add(items.Current);
        }

        var end = Assert.Single(rest);
        Assert.Equal(SseItems.End, end.EventType);
        var data = JsonDocument.Parse(end.Data).RootElement;
        Assert.True(data.GetProperty("purged").GetBoolean());
        Assert.Equal(2, data.GetProperty("sequence").GetInt64());
        Assert.Equal(_watched, data.GetProperty("runId").GetGuid());
    }

    private static void Seed(BridgeDbContext db, Guid runId, int events, DateTimeOffset? endedAt, ref long position)
    {
        var at = endedAt ?? DateTimeOffset.UtcNow - TimeSpan.FromDays(9);
        var run = new RunRecord { RunId = runId, WorkflowId = "seeded", CreatedAt = at, StartedAt = at, Status = endedAt is null ? RunStatus.Running : RunStatus.Completed };
        for (var sequence = 1; sequence <= events; sequence++)
        {
            var type = sequence == 1 ? LifecycleEventTypes.WorkflowStart
                : sequence == events && endedAt is not null ? LifecycleEventTypes.WorkflowComplete
                : LifecycleEventTypes.StepStart;
            var e = new WorkflowLifecycleEvent { RunId = runId, WorkflowId = "seeded", Sequence = sequence, Type = type, Timestamp = at };
            db.Events.Add(new StoredEvent
            {
                RunId = runId,
                Sequence = sequence,
                Type = type,
                Json = JsonSerializer.Serialize(e, BridgeJson.Options),
                Timestamp = at,
                ReceivedAt = at,
                Position = ++position,
            });
            run.DeliveredSequence = sequence;
            run.LastEventType = type;
            run.LastEventAt = at;
        }

        if (endedAt is not null)
        {
            run.EndedAt = endedAt;
            run.TerminalSequence = events;
        }

        db.Runs.Add(run);
    }

    private BridgeDbContext Open() => new(new DbContextOptionsBuilder<BridgeDbContext>().UseSqlite($"Data Source={_database}").Options);
}
