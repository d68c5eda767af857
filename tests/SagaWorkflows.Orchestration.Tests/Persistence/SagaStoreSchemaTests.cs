using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

public sealed class SagaStoreSchemaTests
{
    [Fact]
    public async Task Store_is_created_next_to_foreign_tables_in_wal_mode()
    {
        var directory = Directory.CreateTempSubdirectory("sagawf-schema-").FullName;
        var connectionString = $"Data Source={Path.Combine(directory, "nested", "store.db")}";
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, "nested"));
            await Execute(connectionString, "CREATE TABLE QRTZ_LOCKS (SCHED_NAME TEXT NOT NULL, LOCK_NAME TEXT NOT NULL)");
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

            Assert.Equal("wal", await Execute(connectionString, "PRAGMA journal_mode"));
            Assert.Equal(3L, await Execute(connectionString,
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('QRTZ_LOCKS', 'Counters', 'OutboxMessages')"));
        }
        finally
        {
            using (var connection = new SqliteConnection(connectionString))
                SqliteConnection.ClearPool(connection);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Store_with_only_some_tables_is_reported_instead_of_patched()
    {
        var directory = Directory.CreateTempSubdirectory("sagawf-schema-").FullName;
        var connectionString = $"Data Source={Path.Combine(directory, "store.db")}";
        try
        {
            await Execute(connectionString, "CREATE TABLE Counters (CorrelationId TEXT PRIMARY KEY)");
            var options = new DbContextOptionsBuilder<CounterDbContext>().UseSqliteSagaStore(connectionString).Options;
            await using var db = new CounterDbContext(options);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.EnsureSagaStoreCreatedAsync());

            Assert.Contains("OutboxMessages", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            using (var connection = new SqliteConnection(connectionString))
                SqliteConnection.ClearPool(connection);
            Directory.Delete(directory, recursive: true);
        }
    }

    static async Task<object?> Execute(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
