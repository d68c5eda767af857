using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// SQLite: one file, one writer at a time. Every connection gets a busy timeout and WAL journaling
/// (<see cref="SqliteSagaStoreConnectionInterceptor"/>); the file and its folder are created when missing.
/// </summary>
internal sealed class SqliteSagaStoreDialect : SagaStoreDialect
{
    public override string Name => "SQLite";

    internal override bool SingleWriter => true;

    public override DbContextOptionsBuilder Configure(DbContextOptionsBuilder optionsBuilder, string connectionString) =>
        optionsBuilder.UseSqliteSagaStore(connectionString);

    internal override async Task PrepareAsync(DbContext dbContext, CancellationToken cancellationToken)
    {
        var connectionString = dbContext.Database.GetConnectionString();
        var isFile = connectionString is not null && SqliteSagaStore.IsFileDatabase(connectionString);
        if (isFile)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        var creator = dbContext.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            await creator.CreateAsync(cancellationToken).ConfigureAwait(false);
        }

        if (isFile)
        {
            await dbContext.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        }
    }

    // Processes sharing a file are few (tests, a restarted orchestrator); a racing CREATE fails and is re-checked.
    internal override Task<IAsyncDisposable> LockSchemaAsync(DbContext dbContext, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable>(new Released(() => ValueTask.CompletedTask));

    internal override string? DescribeFailure(Exception exception, string connectionString)
    {
        return exception switch
        {
            SqliteException sqlite => $"the SQLite saga store '{DataSource(connectionString)}' cannot be opened: {sqlite.Message}",
            UnauthorizedAccessException or IOException => $"the SQLite saga store '{DataSource(connectionString)}' cannot be created: {exception.Message}",
            _ => null,
        };
    }

    internal override FormattableString TableExistsQuery(string table, string? schema) =>
        $"SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = {table}";

    internal override FormattableString ColumnExistsQuery(string table, string? schema, string column) =>
        $"SELECT COUNT(*) AS \"Value\" FROM pragma_table_info({table}) WHERE name = {column}";

    private static string DataSource(string connectionString)
    {
        try
        {
            return new SqliteConnectionStringBuilder(connectionString).DataSource;
        }
        catch (ArgumentException)
        {
            return connectionString;
        }
    }
}
