using Npgsql;

namespace SagaWorkflows.Testing;

/// <summary>
/// A PostgreSQL database of one test (or test class): created with a random name on the server
/// <c>build/ensure-postgres.sh</c> starts (or the one <c>SAGAWF_PG</c> names, a connection string without a
/// database), dropped — connections and all — when disposed.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    /// <summary>The server the tests use, without a database.</summary>
    public static string ServerConnectionString { get; } =
        Environment.GetEnvironmentVariable("SAGAWF_PG") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Username=sagawf;Password=sagawf";

    private PostgresTestDatabase(string name)
    {
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>The database's connection string (what <c>ConnectionStrings__Workflows</c> takes).</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresTestDatabase> CreateAsync(string prefix = "sagawf_test")
    {
        var database = new PostgresTestDatabase($"{prefix}_{Guid.NewGuid():N}");
        await ExecuteOnServerAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    /// <summary>Runs a statement against the server's maintenance database (<c>postgres</c>).</summary>
    public static async Task ExecuteOnServerAsync(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query against this database and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }
}
