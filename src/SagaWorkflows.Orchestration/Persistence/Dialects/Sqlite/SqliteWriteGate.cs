using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// SQLite has one writer per database file. Writers of this process queue here asynchronously instead of blocking
/// thread-pool threads in SQLite's busy handler, which with many concurrent consumers starves the pool (the thread
/// holding the lock then cannot finish). The busy timeout still covers writers in other processes.
/// </summary>
internal static class SqliteWriteGate
{
    static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    public static async Task<IDisposable?> EnterAsync(DbContext dbContext, CancellationToken cancellationToken)
    {
        if (!dbContext.Database.IsSqlite())
            return null;

        var gate = Gates.GetOrAdd(GetKey(dbContext.Database.GetConnectionString()), static _ => new SemaphoreSlim(1, 1));

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);

        return new Releaser(gate);
    }

    static string GetKey(string? connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;

        if (dataSource.Length == 0 || dataSource.StartsWith(':') || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            return dataSource;

        return Path.GetFullPath(dataSource);
    }


    sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                gate.Release();
        }
    }
}
