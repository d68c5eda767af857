using System.Diagnostics;
using System.Text;

namespace SagaWorkflows.Testing;

/// <summary>A SagaWorkflows host (orchestrator, worker, bridge) run as a real process from its build output.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private const int KeptOutput = 64 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _counted = new(StringComparer.Ordinal);

    private HostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>What the host wrote (its last 32–64 KiB), for diagnostics.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static HostProcess Start(string project, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null, params string[] arguments) =>
        StartAssembly(project, RepositoryPaths.HostAssembly(project), environment, workingDirectory, arguments);

    /// <summary>Runs any built .NET application (<c>dotnet &lt;dll&gt;</c>), e.g. one built outside the solution.</summary>
    public static HostProcess StartAssembly(string name, string dll, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new HostProcess(name, process);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>
    /// Counts, from now on, the lines the host writes that contain <paramref name="marker"/>: <see cref="Output"/> keeps
    /// only the tail, a count sees every line.
    /// </summary>
    public void Count(string marker) => _counted.TryAdd(marker, 0);

    /// <summary>Lines containing <paramref name="marker"/> written since <see cref="Count"/> was called with it.</summary>
    public long Counted(string marker) => _counted.TryGetValue(marker, out var count) ? count : 0;

    /// <summary>The last lines the host wrote, for error messages.</summary>
    public string Tail(int lines = 60) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    /// <summary>Waits for the process to end by itself; its exit code, or null when it still runs after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>A real, abrupt kill: no shutdown hooks run, like a crash or an OOM kill.</summary>
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

        foreach (var marker in _counted.Keys)
        {
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                _counted.AddOrUpdate(marker, 1, (_, count) => count + 1);
            }
        }

        lock (_output)
        {
            // Only the tail is ever shown; a chatty host must not grow its observer's memory.
            if (_output.Length > KeptOutput)
            {
                _output.Remove(0, _output.Length - (KeptOutput / 2));
            }

            _output.AppendLine(line);
        }
    }
}
