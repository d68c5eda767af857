using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// What differs between the databases a saga store runs on; everything else (statements generated from the EF
/// model, group commit, outbox) is shared. SQLite is the single-process default; PostgreSQL lets several
/// orchestrators share one store.
/// </summary>
public abstract class SagaStoreDialect
{
    public static SagaStoreDialect Sqlite { get; } = new SqliteSagaStoreDialect();

    public static SagaStoreDialect PostgreSql { get; } = new PostgresSagaStoreDialect();

    public abstract string Name { get; }

    /// <summary>Whether this process's writers must take turns (one writer per database).</summary>
    internal abstract bool SingleWriter { get; }

    /// <summary>
    /// Whether a group commit sends its statements as one <see cref="DbBatch"/> (<see cref="SagaStoreBatch"/>) instead of
    /// one by one: worth it where each statement is a network round trip (PostgreSQL), not where it is a call into the
    /// same process (SQLite).
    /// </summary>
    internal virtual bool BatchesStatements => false;

    /// <summary>A condition true when <paramref name="column"/> is one of the array bound to <paramref name="parameter"/> (with <see cref="BatchesStatements"/>).</summary>
    internal virtual string KeyInArray(string column, string parameter) =>
        throw new NotSupportedException($"{Name} does not batch a group commit's statements.");

    /// <summary>
    /// The dialect a connection string is written for: one naming a <c>Host</c> (Npgsql's keyword) is PostgreSQL,
    /// anything else SQLite (<c>Data Source=file.db</c>).
    /// </summary>
    public static SagaStoreDialect ForConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        DbConnectionStringBuilder builder;
        try
        {
            builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException exception)
        {
            throw new SagaStoreStartupException($"the saga store's connection string cannot be read ({exception.Message})", exception);
        }

        return builder.ContainsKey("Host") ? PostgreSql : Sqlite;
    }

    internal static SagaStoreDialect Of(DbContext dbContext) => dbContext.Database.IsNpgsql() ? PostgreSql : Sqlite;

    /// <summary>Points EF at the store with this dialect's provider and connection settings.</summary>
    public abstract DbContextOptionsBuilder Configure(DbContextOptionsBuilder optionsBuilder, string connectionString);

    /// <summary>Before the schema is looked at: what must exist for it (SQLite: the file, in WAL mode; PostgreSQL: the database).</summary>
    internal abstract Task PrepareAsync(DbContext dbContext, CancellationToken cancellationToken);

    /// <summary>Keeps other processes out of the schema while this one creates or upgrades it.</summary>
    internal abstract Task<IAsyncDisposable> LockSchemaAsync(DbContext dbContext, CancellationToken cancellationToken);

    /// <summary>One line saying what is wrong with the store, for a failure to open it; null when it is not the dialect's to explain.</summary>
    internal abstract string? DescribeFailure(Exception exception, string connectionString);

    /// <summary>The catalog query telling whether a table exists (an int column named Value).</summary>
    internal abstract FormattableString TableExistsQuery(string table, string? schema);

    /// <summary>The catalog query telling whether a column exists (an int column named Value).</summary>
    internal abstract FormattableString ColumnExistsQuery(string table, string? schema, string column);

    private protected sealed class Released(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }
}
