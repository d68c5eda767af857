using SagaWorkflows.Testing;
using System.Diagnostics;
using System.Reflection;

namespace SagaWorkflows.Cli.Tests;

public sealed record CliResult(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    public string[] StdOutLines => StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout\n{StdOut}--- stderr\n{StdErr}";
}

/// <summary>
/// Runs the built <c>sagawf.dll</c> as a real process (<c>dotnet sagawf.dll ...</c>) from the repository
/// root, so relative sample paths resolve and exit codes, streams and timing are what a user gets.
/// </summary>
public static class CliProcess
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static string RepositoryRoot => RepositoryPaths.Root;

    public static string SagawfDll { get; } = FindSagawf();

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SagawfDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The developer's own settings must not leak into what the tests assert.
        start.Environment.Remove("ConnectionStrings__RabbitMq");
        start.Environment.Remove("SAGAWF_BRIDGE");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"sagawf {string.Join(' ', args)} did not exit within {(timeout ?? DefaultTimeout).TotalSeconds:0} s\n{await stdout}\n{await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr, watch.Elapsed);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>
    /// The CLI's own build output for this configuration (it has its runtimeconfig and deps files),
    /// else the copy the project reference put next to the tests.
    /// </summary>
    private static string FindSagawf()
    {
        var configuration = typeof(CliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var targetFramework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        string[] candidates =
        [
            Path.Combine(RepositoryRoot, "src", "SagaWorkflows.Cli", "bin", configuration, targetFramework, "sagawf.dll"),
            Path.Combine(AppContext.BaseDirectory, "sagawf.dll"),
        ];
        return candidates.FirstOrDefault(c => File.Exists(c) && File.Exists(Path.ChangeExtension(c, ".runtimeconfig.json")))
            ?? throw new InvalidOperationException($"sagawf.dll not built; looked at {string.Join(", ", candidates)}");
    }
}
