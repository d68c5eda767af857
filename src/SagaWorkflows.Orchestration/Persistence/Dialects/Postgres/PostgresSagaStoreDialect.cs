using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// PostgreSQL (Npgsql): many writers, in many processes. Conflicting transitions meet at the saga row — a versioned
/// UPDATE waits for the row lock of a concurrent one and then finds the version changed — so no in-process turn is
/// needed. The database must exist (it is not created: a typo in its name should fail, not start an empty store);
/// the tables are created or upgraded under an advisory lock, so orchestrators starting together do it once.
/// </summary>
internal sealed class PostgresSagaStoreDialect : SagaStoreDialect
{
    // Any constant that other applications on the database are unlikely to use for their own advisory lock.
    private const long SchemaLockKey = 0x5341_4741_5746; // "SAGAWF"

    public override string Name => "PostgreSQL";

    internal override bool SingleWriter => false;

    // Every statement is a round trip to the server: a group commit sends all of its statements in one.
    internal override bool BatchesStatements => true;

    internal override string KeyInArray(string column, string parameter) => $"{column} = ANY({parameter})";

    /// <summary>Statements each connection keeps prepared unless the connection string says otherwise (<c>Max Auto Prepare</c>).</summary>
    internal const int AutoPreparedStatements = 64;

    public override DbContextOptionsBuilder Configure(DbContextOptionsBuilder optionsBuilder, string connectionString) =>
        optionsBuilder.UseNpgsql(WithAutoPrepare(connectionString));

    /// <summary>
    /// Turns on Npgsql's automatic preparation unless the connection string sets it: the store runs the same few
    /// statements (the writer's INSERT/UPDATE/DELETE, the compiled loads) over and over, and a prepared statement skips
    /// the server's parse and plan. A connection string with <c>Max Auto Prepare=0</c> (e.g. behind a pooler that
    /// cannot keep prepared statements) turns it off.
    /// </summary>
    internal static string WithAutoPrepare(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(key => key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            return connectionString;
        }

        builder.MaxAutoPrepare = AutoPreparedStatements;
        return builder.ConnectionString;
    }

    internal override async Task PrepareAsync(DbContext dbContext, CancellationToken cancellationToken)
    {
        if (!await dbContext.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            var builder = new NpgsqlConnectionStringBuilder(dbContext.Database.GetConnectionString());
            throw new SagaStoreStartupException(
                $"the PostgreSQL database '{builder.Database}' does not exist on {builder.Host}:{builder.Port}: create it (CREATE DATABASE \"{builder.Database}\") or fix ConnectionStrings:Workflows");
        }
    }

    internal override async Task<IAsyncDisposable> LockSchemaAsync(DbContext dbContext, CancellationToken cancellationToken)
    {
        // Session-level: held on this connection until unlocked, across the statements (and transactions) in between.
        await dbContext.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await dbContext.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({SchemaLockKey})", cancellationToken).ConfigureAwait(false);
        return new Released(async () =>
        {
            try
            {
                await dbContext.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({SchemaLockKey})", CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await dbContext.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        });
    }

    internal override string? DescribeFailure(Exception exception, string connectionString)
    {
        var target = Describe(connectionString);
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName }:
                    return $"the PostgreSQL database of {target} does not exist: create it or fix ConnectionStrings:Workflows";
                case PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } auth:
                    return $"PostgreSQL refused the login to {target}: {auth.MessageText}";
                case PostgresException postgres:
                    return $"PostgreSQL ({target}) failed: {postgres.MessageText} ({postgres.SqlState})";
                case SocketException or TimeoutException:
                    return $"PostgreSQL at {target} cannot be reached: {current.Message}";
                case ArgumentException argument when current.StackTrace?.Contains("ConnectionString", StringComparison.Ordinal) == true:
                    return $"the PostgreSQL connection string in ConnectionStrings:Workflows is not valid: {argument.Message}";
            }
        }

        return exception is NpgsqlException npgsql ? $"PostgreSQL at {target} failed: {npgsql.Message}" : null;
    }

    internal override FormattableString TableExistsQuery(string table, string? schema)
    {
        if (schema is null)
        {
            return $"SELECT COUNT(*)::int AS \"Value\" FROM information_schema.tables WHERE table_name = {table} AND table_schema = current_schema()";
        }

        return $"SELECT COUNT(*)::int AS \"Value\" FROM information_schema.tables WHERE table_name = {table} AND table_schema = {schema}";
    }

    internal override FormattableString ColumnExistsQuery(string table, string? schema, string column)
    {
        if (schema is null)
        {
            return $"SELECT COUNT(*)::int AS \"Value\" FROM information_schema.columns WHERE table_name = {table} AND column_name = {column} AND table_schema = current_schema()";
        }

        return $"SELECT COUNT(*)::int AS \"Value\" FROM information_schema.columns WHERE table_name = {table} AND column_name = {column} AND table_schema = {schema}";
    }

    private static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}";
        }
        catch (ArgumentException)
        {
            return "the configured server";
        }
    }
}
