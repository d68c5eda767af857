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

/// <summary>The PostgreSQL server the tests share, as a whole.</summary>
public static class PostgresServer
{
    /// <summary>
    /// Restarts the local server (Debian's <c>pg_ctlcluster &lt;major&gt; main restart</c>, fast shutdown: every session
    /// is cut) with the connection limit it had, and returns once it accepts connections again. The server is shared:
    /// only a test built for this, in a collection that runs alone, may call it.
    /// </summary>
    public static async Task<TimeSpan> RestartAsync(TimeSpan timeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.ServerConnectionString) { Database = "postgres", Pooling = false };
        int major;
        string maxConnections;
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            major = connection.PostgreSqlVersion.Major;
            await using var command = new NpgsqlCommand("SHOW max_connections", connection);
            maxConnections = (string)(await command.ExecuteScalarAsync())!;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var start = new System.Diagnostics.ProcessStartInfo("pg_ctlcluster") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { major.ToString(System.Globalization.CultureInfo.InvariantCulture), "main", "restart", "-m", "fast", "--", "-o", $"-c max_connections={maxConnections}" })
        {
            start.ArgumentList.Add(argument);
        }

        using (var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("pg_ctlcluster could not be started"))
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            await process.WaitForExitAsync(cancel.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"pg_ctlcluster restart failed ({process.ExitCode}): {await stderr}{await stdout}");
            }
        }

        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync();
                return clock.Elapsed;
            }
            catch (NpgsqlException) when (clock.Elapsed < timeout)
            {
                await Task.Delay(100); // nothing tells when the server is up but asking it
            }
        }
    }

    /// <summary>How many sessions other databases named <paramref name="prefix"/>… than <paramref name="own"/> have open.</summary>
    public static async Task<long> OtherSessionsAsync(string prefix, string own)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.ServerConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM pg_stat_activity WHERE datname LIKE @prefix AND datname <> @own", connection);
        command.Parameters.AddWithValue("prefix", prefix + "%");
        command.Parameters.AddWithValue("own", own);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
