namespace SagaWorkflows.Bridge.Tests.Infrastructure;

public static class TestPaths
{
    /// <summary>A database file no other test uses (SQLite creates it).</summary>
    public static string NewDatabase()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sagawf-bridge-tests");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, Guid.NewGuid().ToString("N") + ".db");
    }

    /// <summary>Deletes a test database with its WAL files.</summary>
    public static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Where artifacts such as screenshots go: <c>SAGAWF_TEST_ARTIFACTS</c>, else the repository's
    /// TestResults folder (where build/test.sh puts test results), else TestResults beside the tests.
    /// </summary>
    public static string Artifacts(string folder)
    {
        var root = Environment.GetEnvironmentVariable("SAGAWF_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryRoot() ?? AppContext.BaseDirectory, "TestResults");
        var directory = Path.Combine(root, folder);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>The checkout the tests were built from (the folder holding SagaWorkflows.sln), or null.</summary>
    public static string? RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SagaWorkflows.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
