using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Packaging;

/// <summary>
/// The solution packed once (from the build the tests run on) into a temporary folder used as a NuGet feed,
/// under a version of its own so nothing stale from the machine's package cache is ever used.
/// </summary>
public sealed partial class PackedFeed : IAsyncLifetime, IDisposable
{
    public static readonly string[] Libraries =
        ["SagaWorkflows.Contracts", "SagaWorkflows.Core", "SagaWorkflows.Hosting", "SagaWorkflows.WorkerSdk", "SagaWorkflows.Orchestration", "SagaWorkflows.Bridge",
         "SagaWorkflows.TestKit",
         "SagaWorkflows.Definitions.Builder"];

    public const string ToolPackage = "sagawf";

    private readonly TempDirectory _directory = new("sagawf-feed-");

    public string Directory => _directory.Path;

    /// <summary>The version the repository declares, once, in Directory.Build.props.</summary>
    public static string DeclaredVersion { get; } =
        VersionPrefix().Match(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Directory.Build.props"))).Groups["v"].Value;

    public string Version { get; } = $"{DeclaredVersion}-ci.{DateTime.UtcNow:yyyyMMddHHmmss}{Random.Shared.Next(1000):000}";

    public string Feed => Path.Combine(Directory, "feed");

    [GeneratedRegex("<VersionPrefix>(?<v>[^<]+)</VersionPrefix>")]
    private static partial Regex VersionPrefix();

    public async Task InitializeAsync()
    {
        var result = await DotNet.RunAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(4),
            "pack", "SagaWorkflows.sln", "-c", RepositoryPaths.Configuration, "--no-build", "-o", Feed, $"-p:Version={Version}", "-nodeReuse:false");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed:\n{result}");
        }
    }

    public string Package(string id, string extension = "nupkg") => Path.Combine(Feed, $"{id}.{Version}.{extension}");

    public Task DisposeAsync()
    {
        // The packed versions were extracted into the machine's package cache by the restores; they are
        // unique to this run, so remove them rather than let every run add some.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in Libraries.Append(ToolPackage))
        {
            TryDelete(Path.Combine(cache, id.ToLowerInvariant(), Version.ToLowerInvariant()));
        }

        _directory.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Deletes the feed's folder (as <see cref="DisposeAsync"/> does; xunit calls both).</summary>
    public void Dispose() => _directory.Dispose();

    private static void TryDelete(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover in the package cache harms no later run.
        }
    }
}

/// <summary>Runs the dotnet CLI (or a built app) to completion, bounded in time, with its output.</summary>
public static class DotNet
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Tail(StdOut)}\n--- stderr ---\n{Tail(StdErr)}";

        private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(80));
    }

    public static Task<Result> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        RunProgramAsync("dotnet", workingDirectory, timeout, new Dictionary<string, string>(), arguments);

    public static async Task<Result> RunProgramAsync(string program, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout}:\n{stdout}\n{stderr}");
        }

        // WaitForExitAsync returns after the redirected streams reached their end.
        lock (stdout)
        {
            lock (stderr)
            {
                return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}
