using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

public static class SqliteSagaStore
{
    /// <summary>
    /// Configures the store for <paramref name="connectionString"/> in the dialect it is written for (see
    /// <see cref="SagaStoreDialect.ForConnectionString"/>): PostgreSQL for <c>Host=…</c>, otherwise SQLite.
    /// </summary>
    public static DbContextOptionsBuilder UseSagaStore(this DbContextOptionsBuilder optionsBuilder, string connectionString) =>
        SagaStoreDialect.ForConnectionString(connectionString).Configure(optionsBuilder, connectionString);

    /// <inheritdoc cref="UseSagaStore(DbContextOptionsBuilder,string)"/>
    public static DbContextOptionsBuilder<TContext> UseSagaStore<TContext>(this DbContextOptionsBuilder<TContext> optionsBuilder, string connectionString)
        where TContext : DbContext =>
        (DbContextOptionsBuilder<TContext>)UseSagaStore((DbContextOptionsBuilder)optionsBuilder, connectionString);

    /// <summary>
    /// Configures a saga store on a SQLite file that copes with concurrent writers: WAL journaling and a busy
    /// timeout (<paramref name="busyTimeout"/>, default 30 s, also applied as the connection's Default Timeout)
    /// on every connection. Use with <c>services.AddDbContextFactory&lt;TContext&gt;(o =&gt; o.UseSqliteSagaStore(cs))</c>.
    /// </summary>
    public static DbContextOptionsBuilder UseSqliteSagaStore(this DbContextOptionsBuilder optionsBuilder, string connectionString,
        TimeSpan? busyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (busyTimeout is { } timeout)
        {
            builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        }

        return optionsBuilder
            .UseSqlite(builder.ConnectionString)
            .AddInterceptors(new SqliteSagaStoreConnectionInterceptor(TimeSpan.FromSeconds(builder.DefaultTimeout)));
    }

    /// <inheritdoc cref="UseSqliteSagaStore(DbContextOptionsBuilder,string,TimeSpan?)"/>
    public static DbContextOptionsBuilder<TContext> UseSqliteSagaStore<TContext>(this DbContextOptionsBuilder<TContext> optionsBuilder,
        string connectionString, TimeSpan? busyTimeout = null)
        where TContext : DbContext
    {
        return (DbContextOptionsBuilder<TContext>)UseSqliteSagaStore((DbContextOptionsBuilder)optionsBuilder, connectionString, busyTimeout);
    }

    internal static bool IsFileDatabase(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);

        return builder.Mode != SqliteOpenMode.Memory
            && builder.DataSource.Length > 0
            && !string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal)
            && !builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase);
    }
}
