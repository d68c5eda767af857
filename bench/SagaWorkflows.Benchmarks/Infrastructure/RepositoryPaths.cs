namespace SagaWorkflows.Benchmarks.Infrastructure;

/// <summary>Where the repository and the hosts' build output are, seen from the benchmark's own build output.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug: the hosts are run from the same configuration the benchmark was built in.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Release";

    public static string HostAssembly(string project)
    {
        var dll = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"{dll} is missing: run the benchmark with `dotnet run -c {Configuration} --project bench/SagaWorkflows.Benchmarks`, which builds the hosts too.", dll);
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

        throw new InvalidOperationException("SagaWorkflows.sln not found above " + AppContext.BaseDirectory + ": run the benchmark from its build output in the repository.");
    }
}
