using System.Data.Common;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.Orchestration.Runs;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

/// <summary>The group-commit writer behind the saga repository, driven directly against a SQLite file (and a PostgreSQL database).</summary>
public sealed class SagaStoreWriterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Transitions_waiting_for_the_store_are_committed_together()
    {
        await using var host = await SagaStoreTestHost.StartAsync();
        var writer = host.Services.GetRequiredService<SagaStoreWriter<CounterDbContext>>();
        var ids = Enumerable.Range(0, 10).Select(_ => NewId.NextGuid()).ToList();

        List<Task<SagaWriteOutcome>> writes;
        using (await host.Services.GetRequiredService<SagaStore<CounterDbContext>>().EnterWriteAsync(CancellationToken.None))
        {
            // The store is busy (another writer holds it): every transition that arrives meanwhile waits for one commit.
            writes = ids.Select(id => writer.WriteAsync(Insert(new CounterSaga { CorrelationId = id, CurrentState = "Counting", Count = 1 }))).ToList();
            Assert.All(writes, w => Assert.False(w.IsCompleted, "a write completed while the store was locked"));
        }

        Assert.All(await Task.WhenAll(writes).WaitAsync(Timeout), outcome => Assert.Equal(SagaWriteOutcome.Written, outcome));
        Assert.Equal(10, writer.Committed);
        Assert.InRange(writer.Commits, 1, 2); // the one taken before the lock was noticed, then all the others
        Assert.Equal(10, await host.WithDbContextAsync(db => db.Counters.CountAsync(x => ids.Contains(x.CorrelationId))));
        Assert.Equal(10, (await host.AllOutboxRowsAsync()).Count(r => ids.Contains(r.SagaCorrelationId)));
    }

    [Fact]
    public async Task A_stale_transition_fails_alone_and_writes_none_of_its_messages()
    {
        await using var host = await SagaStoreTestHost.StartAsync();
        var writer = host.Services.GetRequiredService<SagaStoreWriter<CounterDbContext>>();
        var stale = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting", Count = 1 };
        Assert.Equal(SagaWriteOutcome.Written, await writer.WriteAsync(Insert(stale)).WaitAsync(Timeout));
        var fresh = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting", Count = 1 };

        Task<SagaWriteOutcome> staleWrite, freshWrite, duplicateWrite;
        using (await host.Services.GetRequiredService<SagaStore<CounterDbContext>>().EnterWriteAsync(CancellationToken.None))
        {
            // Loaded at version 1, but someone wrote version 2 meanwhile: this update expects 5.
            staleWrite = writer.WriteAsync(Write(SagaRowOperation.Update, new CounterSaga { CorrelationId = stale.CorrelationId, CurrentState = "Counting", Count = 99, Version = 6 }, expectedVersion: 5));
            freshWrite = writer.WriteAsync(Insert(fresh));
            duplicateWrite = writer.WriteAsync(Insert(new CounterSaga { CorrelationId = stale.CorrelationId, CurrentState = "Counting", Count = 7 }));
        }

        Assert.Equal(SagaWriteOutcome.Conflict, await staleWrite.WaitAsync(Timeout));
        Assert.Equal(SagaWriteOutcome.Written, await freshWrite.WaitAsync(Timeout));
        Assert.Equal(SagaWriteOutcome.Duplicate, await duplicateWrite.WaitAsync(Timeout));
        Assert.Equal(1, (await host.FindSagaAsync(stale.CorrelationId))?.Count);
        Assert.NotNull(await host.FindSagaAsync(fresh.CorrelationId));
        var outbox = await host.AllOutboxRowsAsync();
        Assert.Single(outbox, r => r.SagaCorrelationId == stale.CorrelationId); // its insert's, not the stale update's or the duplicate's
        Assert.Single(outbox, r => r.SagaCorrelationId == fresh.CorrelationId);
    }

    [Fact]
    public async Task A_write_that_breaks_its_batch_fails_alone_and_the_others_commit()
    {
        await using var host = await SagaStoreTestHost.StartAsync();
        var writer = host.Services.GetRequiredService<SagaStoreWriter<CounterDbContext>>();
        var good = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting" };
        var broken = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting" };
        var goodWrite = Insert(good);

        Task<SagaWriteOutcome> first, second;
        using (await host.Services.GetRequiredService<SagaStore<CounterDbContext>>().EnterWriteAsync(CancellationToken.None))
        {
            first = writer.WriteAsync(goodWrite);
            // An outbox row whose id is taken already: the database refuses the whole statement.
            second = writer.WriteAsync(new SagaStoreWrite(
                [new SagaRowWrite(SagaRowOperation.Insert, broken, typeof(CounterSaga), broken.CorrelationId, 0)],
                [goodWrite.Outbox[0]]));
        }

        Assert.Equal(SagaWriteOutcome.Written, await first.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<DbException>(() => second.WaitAsync(Timeout));
        Assert.NotNull(await host.FindSagaAsync(good.CorrelationId));
        Assert.Null(await host.FindSagaAsync(broken.CorrelationId));

        // The writer keeps serving.
        var later = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting" };
        Assert.Equal(SagaWriteOutcome.Written, await writer.WriteAsync(Insert(later)).WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_store_locked_by_another_process_fails_the_waiting_transitions_together_and_the_writer_recovers()
    {
        using var directory = new TempDirectory("sagawf-writer-");
        var connectionString = $"Data Source={directory.Combine("sagas.db")};Pooling=False";
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<CounterDbContext>(o => o.UseSqliteSagaStore(connectionString, TimeSpan.FromSeconds(1)));
        services.AddSingleton<SagaStore<CounterDbContext>>();
        services.AddSingleton<SagaStoreWriter<CounterDbContext>>();
        await using (var provider = services.BuildServiceProvider())
        {
            await provider.EnsureSagaStoreCreatedAsync<CounterDbContext>();
            var writer = provider.GetRequiredService<SagaStoreWriter<CounterDbContext>>();
            var factory = provider.GetRequiredService<IDbContextFactory<CounterDbContext>>();
            List<Task<SagaWriteOutcome>> writes;

            // Another process holds SQLite's write lock longer than the busy timeout.
            await using (var other = new Microsoft.Data.Sqlite.SqliteConnection(connectionString))
            {
                await other.OpenAsync();
                await using var begin = other.CreateCommand();
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync();

                using (await provider.GetRequiredService<SagaStore<CounterDbContext>>().EnterWriteAsync(CancellationToken.None))
                {
                    writes = Enumerable.Range(0, 3).Select(_ => writer.WriteAsync(Insert(new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting" }))).ToList();
                }

                var failures = new List<Exception>();
                foreach (var write in writes)
                {
                    failures.Add(await Assert.ThrowsAnyAsync<DbException>(() => write.WaitAsync(Timeout)));
                }

                // Not one by one (each waiting out the timeout again): a batch failed as a whole, with one error.
                Assert.True(failures.Distinct(ReferenceEqualityComparer.Instance).Count() < failures.Count, "every waiting transition failed on its own");
            }

            var later = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting" };
            Assert.Equal(SagaWriteOutcome.Written, await writer.WriteAsync(Insert(later)).WaitAsync(Timeout));
        }
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task Rows_it_writes_read_back_through_ef_with_the_same_values_and_query_by_date(string dialect)
    {
        using var directory = new TempDirectory("sagawf-writer-");
        await using var database = dialect == SagaStoreTestHost.Postgres ? await PostgresTestDatabase.CreateAsync() : null;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<WorkflowDbContext>(o => o.UseSagaStore(database?.ConnectionString ?? $"Data Source={directory.Combine("runs.db")};Pooling=False"));
        services.AddSingleton<SagaStore<WorkflowDbContext>>();
        services.AddSingleton<SagaStoreWriter<WorkflowDbContext>>();
        await using (var provider = services.BuildServiceProvider())
        {
            await provider.EnsureSagaStoreCreatedAsync<WorkflowDbContext>();
            var writer = provider.GetRequiredService<SagaStoreWriter<WorkflowDbContext>>();
            // SQLite keeps every tick; PostgreSQL's timestamps hold microseconds.
            var wakeAt = new DateTime(2026, 11, 24, 3, 4, 5, 678, DateTimeKind.Utc).AddTicks(database is null ? 9 : 10);
            var run = new WorkflowRun
            {
                CorrelationId = NewId.NextGuid(),
                CurrentState = "Running",
                Version = 1,
                WorkflowId = "orders",
                WorkflowVersion = 3,
                DefinitionJson = """{"id":"orders"}""",
                StateJson = """{"status":"running","é":"ünïcode"}""",
                WakeAt = wakeAt,
                CreatedAt = wakeAt.AddMinutes(-1),
                UpdatedAt = wakeAt.AddSeconds(-1),
            };

            Assert.Equal(SagaWriteOutcome.Written, await writer.WriteAsync(
                new SagaStoreWrite([new SagaRowWrite(SagaRowOperation.Insert, run, typeof(WorkflowRun), run.CorrelationId, 0)], [])).WaitAsync(Timeout));

            await using var db = await provider.GetRequiredService<IDbContextFactory<WorkflowDbContext>>().CreateDbContextAsync();
            var read = await db.Runs.AsNoTracking().SingleAsync(x => x.CorrelationId == run.CorrelationId);
            Assert.Equivalent(run, read);
            Assert.Equal([run.CorrelationId], await db.Runs.Where(x => x.WakeAt <= wakeAt).Select(x => x.CorrelationId).ToListAsync());
            Assert.Empty(await db.Runs.Where(x => x.WakeAt < wakeAt).Select(x => x.CorrelationId).ToListAsync());

            // An update writes what changed since the snapshot (and the version), nothing else: not the definition.
            var statements = provider.GetRequiredService<SagaStore<WorkflowDbContext>>().Statements(db, typeof(WorkflowRun));
            var stored = statements.Snapshot(run);
            run.WakeAt = null;
            run.StateJson = "{}";
            run.Version = 2;
            var sql = statements.UpdateText(run, stored);
            Assert.DoesNotContain("DefinitionJson", sql, StringComparison.Ordinal);
            Assert.DoesNotContain("CreatedAt", sql, StringComparison.Ordinal);
            Assert.Contains("\"StateJson\"", sql, StringComparison.Ordinal);
            Assert.Contains("\"WakeAt\"", sql, StringComparison.Ordinal);
            Assert.Contains("\"Version\"", sql, StringComparison.Ordinal);
            Assert.Equal(SagaWriteOutcome.Written, await writer.WriteAsync(
                new SagaStoreWrite([new SagaRowWrite(SagaRowOperation.Update, run, typeof(WorkflowRun), run.CorrelationId, 1, stored)], [])).WaitAsync(Timeout));
            Assert.Equivalent(run, await db.Runs.AsNoTracking().SingleAsync(x => x.CorrelationId == run.CorrelationId));

            // Without a snapshot every column is written.
            run.Version = 3;
            Assert.Contains("DefinitionJson", statements.UpdateText(run, null), StringComparison.Ordinal);
            Assert.Equal(SagaWriteOutcome.Written, await writer.WriteAsync(
                new SagaStoreWrite([new SagaRowWrite(SagaRowOperation.Update, run, typeof(WorkflowRun), run.CorrelationId, 2)], [])).WaitAsync(Timeout));
            Assert.Equivalent(run, await db.Runs.AsNoTracking().SingleAsync(x => x.CorrelationId == run.CorrelationId));
        }
    }

    [Fact]
    public async Task On_postgres_a_group_goes_as_one_batch_and_a_conflict_or_duplicate_in_it_is_rolled_back_alone()
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: SagaStoreTestHost.Postgres);
        var writer = host.Services.GetRequiredService<SagaStoreWriter<CounterDbContext>>();
        var blocker = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting", Count = 1 };
        var stale = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting", Count = 1 };
        var updated = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting", Count = 1 };
        foreach (var saga in new[] { blocker, stale, updated })
        {
            Assert.Equal(SagaWriteOutcome.Written, await writer.WriteAsync(Insert(saga)).WaitAsync(Timeout));
        }

        var fresh = new CounterSaga { CorrelationId = NewId.NextGuid(), CurrentState = "Counting", Count = 1 };
        var commitsBefore = writer.Commits;

        // Another session holds the blocker's row: the writer's next group waits for it, and the writes that arrive
        // meanwhile gather into the group after it.
        await using var other = new NpgsqlConnection(host.ConnectionString);
        await other.OpenAsync();
        await using var held = await other.BeginTransactionAsync();
        await using (var select = new NpgsqlCommand("""SELECT 1 FROM "Counters" WHERE "CorrelationId" = @id FOR UPDATE""", other, held))
        {
            select.Parameters.AddWithValue("id", blocker.CorrelationId);
            await select.ExecuteScalarAsync();
        }

        blocker.Count = 2;
        blocker.Version = 2;
        var blocked = writer.WriteAsync(Write(SagaRowOperation.Update, blocker, expectedVersion: 1));
        await Poll.UntilAsync(() => LockWaitsAsync(host.ConnectionString), TimeSpan.FromSeconds(30), "the writer waiting for the held row");

        var staleWrite = writer.WriteAsync(Write(SagaRowOperation.Update, new CounterSaga { CorrelationId = stale.CorrelationId, CurrentState = "Counting", Count = 99, Version = 6 }, expectedVersion: 5));
        var freshWrite = writer.WriteAsync(Insert(fresh));
        var duplicateWrite = writer.WriteAsync(Insert(new CounterSaga { CorrelationId = stale.CorrelationId, CurrentState = "Counting", Count = 7 }));
        updated.Count = 2;
        updated.Version = 2;
        var updateWrite = writer.WriteAsync(Write(SagaRowOperation.Update, updated, expectedVersion: 1));
        Assert.False(blocked.IsCompleted || updateWrite.IsCompleted, "a write completed while the row was held");
        await held.CommitAsync();

        Assert.Equal(SagaWriteOutcome.Written, await blocked.WaitAsync(Timeout));
        Assert.Equal(SagaWriteOutcome.Conflict, await staleWrite.WaitAsync(Timeout));
        Assert.Equal(SagaWriteOutcome.Written, await freshWrite.WaitAsync(Timeout));
        Assert.Equal(SagaWriteOutcome.Duplicate, await duplicateWrite.WaitAsync(Timeout));
        Assert.Equal(SagaWriteOutcome.Written, await updateWrite.WaitAsync(Timeout));
        Assert.Equal(commitsBefore + 2, writer.Commits); // the held group, then the four in one (its rerun without the misses included)

        Assert.Equal(2, (await host.FindSagaAsync(blocker.CorrelationId))?.Count);
        Assert.Equal(1, (await host.FindSagaAsync(stale.CorrelationId))?.Count);
        Assert.Equal(2, (await host.FindSagaAsync(updated.CorrelationId))?.Count);
        Assert.NotNull(await host.FindSagaAsync(fresh.CorrelationId));
        var outbox = await host.AllOutboxRowsAsync();
        Assert.Single(outbox, r => r.SagaCorrelationId == stale.CorrelationId); // its insert's: neither the stale update's nor the duplicate's
        Assert.Single(outbox, r => r.SagaCorrelationId == fresh.CorrelationId);
        Assert.Equal(2, outbox.Count(r => r.SagaCorrelationId == updated.CorrelationId));
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task Rows_delivered_but_not_yet_deleted_when_the_process_stops_are_delivered_again_by_the_next_processs_relay(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var id = NewId.NextGuid();
        await host.StartCounterAsync(id);
        var left = await host.AllOutboxRowsAsync();
        Assert.NotEmpty(left);
        Assert.Empty(await host.OutboxRowsAsync()); // all delivered: they only wait for the next commit to delete them

        // The process stops before that commit; only it knew they were delivered. The next process's store and relay:
        var factory = host.Services.GetRequiredService<IDbContextFactory<CounterDbContext>>();
        using var relay = new OutboxRelay<CounterDbContext>(factory, new SagaStore<CounterDbContext>(factory), host.Harness.Bus,
            Options.Create(new SagaOutboxOptions { RelayAge = TimeSpan.Zero }));

        // At least once: the same messages again, with the same MessageIds (the harness lists a MessageId once).
        Assert.Equal(left.Count, await relay.RelayPendingAsync());
        Assert.Empty(await host.AllOutboxRowsAsync());
        Assert.Contains(host.Harness.PublishedSoFar<CounterStarted>(m => m.CounterId == id), x => left.Any(r => r.Id == x.Context.MessageId));
    }

    [Fact]
    public void A_postgres_store_prepares_its_statements_unless_the_connection_string_says_otherwise()
    {
        const string Given = "Host=127.0.0.1;Database=runs;Username=u;Password=p";
        Assert.Equal(PostgresSagaStoreDialect.AutoPreparedStatements, new NpgsqlConnectionStringBuilder(PostgresSagaStoreDialect.WithAutoPrepare(Given)).MaxAutoPrepare);
        Assert.Equal("p", new NpgsqlConnectionStringBuilder(PostgresSagaStoreDialect.WithAutoPrepare(Given)).Password);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(PostgresSagaStoreDialect.WithAutoPrepare(Given + ";Max Auto Prepare=0")).MaxAutoPrepare);
        Assert.Equal(5, new NpgsqlConnectionStringBuilder(PostgresSagaStoreDialect.WithAutoPrepare(Given + ";MaxAutoPrepare=5")).MaxAutoPrepare);
    }

    /// <summary>Whether a session of the test's database waits for a lock.</summary>
    private static async Task<bool> LockWaitsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()", connection);
        return (long)(await query.ExecuteScalarAsync())! > 0;
    }

    private static SagaStoreWrite Insert(CounterSaga saga)
    {
        saga.Version = 1;
        return Write(SagaRowOperation.Insert, saga, expectedVersion: 0);
    }

    private static SagaStoreWrite Write(SagaRowOperation operation, CounterSaga saga, int expectedVersion)
    {
        var item = new OutboxItem(new CounterStarted(saga.CorrelationId), typeof(CounterStarted), null);
        return new SagaStoreWrite(
            [new SagaRowWrite(operation, saga, typeof(CounterSaga), saga.CorrelationId, expectedVersion)],
            [new StagedOutboxMessage(OutboxMessage.Create(saga.CorrelationId, item, DateTime.UtcNow), item)]);
    }
}
