using System.Diagnostics;
using System.Text;

namespace SagaWorkflows.Benchmarks.Infrastructure;

/// <summary>An orchestrator or worker run as a real process from its build output, as users deploy them.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(string project, Process process)
    {
        Project = project;
        _process = process;
    }

    public string Project { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public static HostProcess Start(string project, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(RepositoryPaths.HostAssembly(project));
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new HostProcess(project, process);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    public (long Rss, long PeakRss) Memory() => ProcessStats.Memory(_process.Id);

    public TimeSpan CpuTime() => ProcessStats.CpuTime(_process.Id);

    /// <summary>The last lines the host wrote, for error messages.</summary>
    public string Tail(int lines = 40)
    {
        lock (_output)
        {
            return string.Join('\n', _output.ToString().Split('\n').TakeLast(lines));
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Only the tail is ever shown; a chatty host must not grow the benchmark's memory.
            if (_output.Length > 64 * 1024)
            {
                _output.Remove(0, _output.Length - 32 * 1024);
            }

            _output.AppendLine(line);
        }
    }
}
