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

    /// <summary>Where artifacts such as screenshots go: <c>SAGAWF_TEST_ARTIFACTS</c>, else TestResults beside the tests.</summary>
    public static string Artifacts(string folder)
    {
        var root = Environment.GetEnvironmentVariable("SAGAWF_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "TestResults");
        var directory = Path.Combine(root, folder);
        Directory.CreateDirectory(directory);
        return directory;
    }
}
