namespace SagaWorkflows.Testing;

/// <summary>Where the repository and the hosts' build output are, seen from a test's or the benchmark's build output.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug: hosts are run from the configuration the caller was built in (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Release";

    /// <summary>The build output of a host project, e.g. <c>SagaWorkflows.Orchestrator</c> (or the CLI's <c>sagawf</c>).</summary>
    public static string HostAssembly(string project, string? assembly = null)
    {
        var dll = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", (assembly ?? project) + ".dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"{dll} is missing: build the solution (or that project) in {Configuration} first.", dll);
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
