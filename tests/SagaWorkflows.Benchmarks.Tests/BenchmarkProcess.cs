using System.Diagnostics;
using System.Text;

namespace SagaWorkflows.Benchmarks.Tests;

/// <summary>The benchmark run as its own process from its build output, in the tests' configuration.</summary>
public static class BenchmarkProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        start.ArgumentList.Add(Assembly());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the benchmark did not finish within {timeout.TotalSeconds} s:\n{Text(output)}");
        }

        // WaitForExitAsync returns after the redirected streams reached their end: the last lines are in.
        return new Result(process.ExitCode, Text(output));
    }

    public static string RepositoryRoot { get; } = FindRoot();

    private static string Assembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = Path.Combine(RepositoryRoot, "bench", "SagaWorkflows.Benchmarks", "bin", configuration, "net10.0", "SagaWorkflows.Benchmarks.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the benchmark first: {dll} is missing", dll);
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

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
