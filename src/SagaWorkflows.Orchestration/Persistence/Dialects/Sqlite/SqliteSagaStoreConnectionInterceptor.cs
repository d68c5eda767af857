using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// Prepares every SQLite connection of a saga store: a busy timeout, so a writer in another process waits for the
/// lock instead of failing at once, and WAL journaling, so readers never wait for writers.
/// </summary>
internal sealed class SqliteSagaStoreConnectionInterceptor(TimeSpan busyTimeout) : DbConnectionInterceptor
{
    // journal_mode is stored in the database file; setting it once per file and store options is enough.
    private readonly ConcurrentDictionary<string, bool> _walEnsured = new(StringComparer.Ordinal);

    private readonly string _busyTimeoutPragma =
        $"PRAGMA busy_timeout = {((long)busyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        foreach (var pragma in Pragmas(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = pragma;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        foreach (var pragma in Pragmas(connection))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = pragma;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private IEnumerable<string> Pragmas(DbConnection connection)
    {
        yield return _busyTimeoutPragma;

        // EF opens read-only connections to probe for the file; those cannot change the journal mode.
        if (connection is SqliteConnection sqlite && SqliteSagaStore.IsFileDatabase(sqlite.ConnectionString)
            && new SqliteConnectionStringBuilder(sqlite.ConnectionString).Mode != SqliteOpenMode.ReadOnly
            && _walEnsured.TryAdd(Path.GetFullPath(sqlite.DataSource), true))
        {
            yield return "PRAGMA journal_mode = WAL;";
        }
    }
}
