using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

public sealed class SagaStoreSchemaTests
{
    [Fact]
    public async Task Store_is_created_next_to_foreign_tables_in_wal_mode()
    {
        using var directory = new TempDirectory("sagawf-schema-");
        var connectionString = $"Data Source={Path.Combine(directory.Path, "nested", "store.db")}";
        try
        {
            Directory.CreateDirectory(directory.Combine("nested"));
            await ExecuteAsync(connectionString, "CREATE TABLE QRTZ_LOCKS (SCHED_NAME TEXT NOT NULL, LOCK_NAME TEXT NOT NULL)");
            var options = new DbContextOptionsBuilder<CounterDbContext>().UseSqliteSagaStore(connectionString).Options;

            await using (var db = new CounterDbContext(options))
            {
                await db.EnsureSagaStoreCreatedAsync();
                // Running it again on a complete store changes nothing.
                await db.EnsureSagaStoreCreatedAsync();

                db.Counters.Add(new CounterSaga { CorrelationId = Guid.NewGuid(), Version = 1 });
                await db.SaveChangesAsync();
                Assert.Equal(0, await db.Outbox.CountAsync());
            }

            Assert.Equal("wal", await ExecuteAsync(connectionString, "PRAGMA journal_mode"));
            Assert.Equal(3L, await ExecuteAsync(connectionString,
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('QRTZ_LOCKS', 'Counters', 'OutboxMessages')"));
        }
        finally
        {
            using (var connection = new SqliteConnection(connectionString))
            {
                SqliteConnection.ClearPool(connection);
            }
        }
    }

    [Fact]
    public async Task Store_with_only_some_tables_is_reported_instead_of_patched()
    {
        using var directory = new TempDirectory("sagawf-schema-");
        var connectionString = $"Data Source={directory.Combine("store.db")}";
        try
        {
            await ExecuteAsync(connectionString, "CREATE TABLE Counters (CorrelationId TEXT PRIMARY KEY)");
            var options = new DbContextOptionsBuilder<CounterDbContext>().UseSqliteSagaStore(connectionString).Options;
            await using var db = new CounterDbContext(options);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.EnsureSagaStoreCreatedAsync());

            Assert.Contains("OutboxMessages", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            using (var connection = new SqliteConnection(connectionString))
            {
                SqliteConnection.ClearPool(connection);
            }
        }
    }

    [Fact]
    public async Task A_store_of_an_earlier_version_gets_the_tables_added_since_and_keeps_its_rows()
    {
        using var directory = new TempDirectory("sagawf-schema-");
        var connectionString = $"Data Source={directory.Combine("store.db")}";
        try
        {
            var options = new DbContextOptionsBuilder<SagaWorkflows.Orchestration.Runs.WorkflowDbContext>().UseSqliteSagaStore(connectionString).Options;
            await using (var db = new SagaWorkflows.Orchestration.Runs.WorkflowDbContext(options))
            {
                await db.EnsureSagaStoreCreatedAsync();
            }

            // As the first release left it: no WorkflowRunParts, one run.
            await ExecuteAsync(connectionString, "DROP TABLE \"WorkflowRunParts\"");
            await ExecuteAsync(connectionString, "INSERT INTO \"WorkflowRuns\" (\"CorrelationId\", \"CurrentState\", \"Version\", \"WorkflowId\", \"WorkflowVersion\", " +
                "\"DefinitionJson\", \"StateJson\", \"CreatedAt\", \"UpdatedAt\") VALUES ('A', 'Running', 1, 'w', 1, '{}', '{}', '2026-01-01', '2026-01-01')");

            await using (var db = new SagaWorkflows.Orchestration.Runs.WorkflowDbContext(options))
            {
                await db.EnsureSagaStoreCreatedAsync();
            }

            Assert.Equal(0L, await ExecuteAsync(connectionString, "SELECT COUNT(*) FROM \"WorkflowRunParts\""));
            Assert.Equal(1L, await ExecuteAsync(connectionString, "SELECT COUNT(*) FROM \"WorkflowRuns\""));
        }
        finally
        {
            using (var connection = new SqliteConnection(connectionString))
            {
                SqliteConnection.ClearPool(connection);
            }
        }
    }

    [Fact]
    public async Task An_outbox_table_of_an_earlier_version_gets_the_expiry_column_and_keeps_its_rows()
    {
        using var directory = new TempDirectory("sagawf-schema-");
        var connectionString = $"Data Source={directory.Combine("store.db")}";
        try
        {
            var options = new DbContextOptionsBuilder<CounterDbContext>().UseSqliteSagaStore(connectionString).Options;
            await using (var db = new CounterDbContext(options))
            {
                await db.EnsureSagaStoreCreatedAsync();
            }

            // As an earlier release left it: no ExpiresAt, one undelivered row.
            await ExecuteAsync(connectionString, "ALTER TABLE \"OutboxMessages\" DROP COLUMN \"ExpiresAt\"");
            await ExecuteAsync(connectionString, "INSERT INTO \"OutboxMessages\" (\"Id\", \"SagaCorrelationId\", \"CreatedAt\", \"Sequence\", \"MessageType\", \"Body\") " +
                "VALUES ('0A4C6E55-0000-0000-0000-000000000001', '0A4C6E55-0000-0000-0000-000000000002', '2026-01-01 00:00:00', 0, 'T', '{}')");

            await using (var db = new CounterDbContext(options))
            {
                await db.EnsureSagaStoreCreatedAsync();
                var row = Assert.Single(await db.Outbox.AsNoTracking().ToListAsync());
                Assert.Null(row.ExpiresAt);
            }

            Assert.Equal(1L, await ExecuteAsync(connectionString, "SELECT COUNT(*) FROM pragma_table_info('OutboxMessages') WHERE name = 'ExpiresAt'"));
        }
        finally
        {
            using (var connection = new SqliteConnection(connectionString))
            {
                SqliteConnection.ClearPool(connection);
            }
        }
    }

    [Fact]
    public async Task Three_processes_creating_one_postgres_store_at_the_same_moment_create_it_once()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var options = new DbContextOptionsBuilder<SagaWorkflows.Orchestration.Runs.WorkflowDbContext>().UseSagaStore(database.ConnectionString).Options;

        await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
        {
            await using var db = new SagaWorkflows.Orchestration.Runs.WorkflowDbContext(options);
            await db.EnsureSagaStoreCreatedAsync();
        }));

        Assert.Equal(1L, await database.ScalarAsync("SELECT COUNT(*) FROM \"SagaStoreVersion\""));
        Assert.Equal(SagaStoreSchema.CurrentVersion, await database.ScalarAsync("SELECT \"Version\" FROM \"SagaStoreVersion\""));
        Assert.Equal(4L, await database.ScalarAsync(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('WorkflowRuns', 'WorkflowRunParts', 'OutboxMessages', 'SagaStoreVersion')"));
    }

    [Fact]
    public async Task A_missing_postgres_database_is_named_in_one_line()
    {
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(PostgresTestDatabase.ServerConnectionString) { Database = "sagawf_missing_" + Guid.NewGuid().ToString("N") }.ConnectionString;
        await using var db = new CounterDbContext(new DbContextOptionsBuilder<CounterDbContext>().UseSagaStore(connectionString).Options);

        var error = await Assert.ThrowsAsync<SagaStoreStartupException>(() => db.EnsureSagaStoreCreatedAsync());

        Assert.Contains("sagawf_missing_", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_wrong_postgres_password_is_reported_in_one_line()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = "wrong" }.ConnectionString;
        await using var db = new CounterDbContext(new DbContextOptionsBuilder<CounterDbContext>().UseSagaStore(connectionString).Options);

        var error = await Assert.ThrowsAsync<SagaStoreStartupException>(() => db.EnsureSagaStoreCreatedAsync());

        Assert.Contains("refused the login", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task A_store_of_a_newer_version_is_refused_and_left_as_it_is(string dialect)
    {
        using var directory = new TempDirectory("sagawf-schema-");
        await using var database = dialect == SagaStoreTestHost.Postgres ? await PostgresTestDatabase.CreateAsync() : null;
        var connectionString = database?.ConnectionString ?? $"Data Source={directory.Combine("store.db")}";
        var options = new DbContextOptionsBuilder<CounterDbContext>().UseSagaStore(connectionString).Options;
        try
        {
            await using (var db = new CounterDbContext(options))
            {
                await db.EnsureSagaStoreCreatedAsync();
                await db.Database.ExecuteSqlRawAsync("UPDATE \"SagaStoreVersion\" SET \"Version\" = 99");
            }

            await using (var db = new CounterDbContext(options))
            {
                var error = await Assert.ThrowsAsync<SagaStoreStartupException>(() => db.EnsureSagaStoreCreatedAsync());
                Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
                Assert.Equal(99, await db.Database.SqlQueryRaw<int>("SELECT \"Version\" AS \"Value\" FROM \"SagaStoreVersion\"").SingleAsync());
            }
        }
        finally
        {
            using (var connection = new SqliteConnection($"Data Source={directory.Combine("store.db")}"))
            {
                SqliteConnection.ClearPool(connection);
            }
        }
    }

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
