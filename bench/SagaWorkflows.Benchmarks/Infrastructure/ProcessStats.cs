using SagaWorkflows.Testing;
using System.Diagnostics;
using System.Globalization;

namespace SagaWorkflows.Benchmarks.Infrastructure;

/// <summary>Memory and CPU time of a process, read from /proc (Linux only; zero elsewhere).</summary>
public static class ProcessStats
{
    // /proc reports CPU time in USER_HZ, which the kernel's user ABI fixes at 100 on every mainstream architecture.
    private const double TicksPerSecond = 100;

    /// <summary>Resident set size now and its peak (VmRSS, VmHWM) in bytes.</summary>
    public static (long Rss, long PeakRss) Memory(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }

        return (rss, peak);
    }

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return TimeSpan.Zero;
        }

        return ParseCpu(stat);
    }

    /// <summary>
    /// CPU time used so far by the runtime's tiered-compilation worker threads (named ".NET Tiered Compilation
    /// Worker", cut to 15 characters by the kernel): the background JIT that recompiles hot methods with full
    /// optimisation. While it still works, the process is not yet at the speed it keeps once warm.
    /// </summary>
    public static TimeSpan TieredCompilationCpu(int pid)
    {
        var total = TimeSpan.Zero;
        string[] threads;
        try
        {
            threads = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return total;
        }

        foreach (var thread in threads)
        {
            try
            {
                if (File.ReadAllText(Path.Combine(thread, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                {
                    total += ParseCpu(File.ReadAllText(Path.Combine(thread, "stat")));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The thread ended between the listing and the read: its time is gone with it.
            }
        }

        return total;
    }

    private static TimeSpan ParseCpu(string stat)
    {
        // The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The RabbitMQ server's Erlang VM, whose CPU time shows the broker's share of the work.</summary>
    public static int? BrokerPid()
    {
        try
        {
            return Process.GetProcessesByName("beam.smp").Select(p => (int?)p.Id).FirstOrDefault();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

/// <summary>What the benchmark reads of a host process: /proc figures by its pid.</summary>
public static class HostProcessStats
{
    public static (long Rss, long PeakRss) Memory(this HostProcess host) => ProcessStats.Memory(host.Id);

    public static TimeSpan CpuTime(this HostProcess host) => ProcessStats.CpuTime(host.Id);
}
