namespace SagaWorkflows.IntegrationTests.Infrastructure;

public static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The build output of a host project, in the same configuration as these tests.</summary>
    public static string HostAssembly(string project, string? assembly = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = Path.Combine(RepositoryRoot, "src", project, "bin", configuration, "net10.0", (assembly ?? project) + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build {project} first: {dll} is missing", dll);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SagaWorkflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SagaWorkflows.sln not found above " + AppContext.BaseDirectory);
    }
}
