using System.Globalization;
using System.Net;

namespace SagaWorkflows.Testing;

/// <summary>
/// The network sockets a process holds, read from Linux's <c>/proc</c>: its socket descriptors matched against
/// the kernel's TCP and UDP tables. Lets a test see every peer a real host process talks to, whatever library opened it.
/// </summary>
public static class ProcessConnections
{
    public sealed record Connection(string Protocol, IPEndPoint Local, IPEndPoint Remote, string State)
    {
        public override string ToString() => $"{Protocol} {Local} -> {Remote} ({State})";
    }

    public static bool Supported => OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd");

    /// <summary>Connected sockets (a remote address set) of the process; empty if it is gone.</summary>
    public static IReadOnlyList<Connection> Of(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var connections = new List<Connection>();
        foreach (var protocol in (string[])["tcp", "tcp6", "udp", "udp6"])
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines($"/proc/{pid}/net/{protocol}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var line in lines.Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || !inodes.Contains(fields[9]))
                {
                    continue;
                }

                var remote = Parse(fields[2]);
                if (remote.Port == 0 && (remote.Address.Equals(IPAddress.Any) || remote.Address.Equals(IPAddress.IPv6Any)))
                {
                    continue; // listening or unconnected
                }

                connections.Add(new Connection(protocol, Parse(fields[1]), remote, fields[3]));
            }
        }

        return connections;
    }

    /// <summary>Loopback, including IPv4-mapped loopback.</summary>
    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4()));

    private static IPEndPoint Parse(string text)
    {
        var parts = text.Split(':');
        var port = int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var hex = parts[0];
        var bytes = new byte[hex.Length / 2];
        // The kernel prints each 32-bit word in host (little-endian) order.
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            for (var b = 0; b < 4; b++)
            {
                bytes[word * 4 + b] = byte.Parse(hex.AsSpan((word * 4 + (3 - b)) * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return new IPEndPoint(new IPAddress(bytes), port);
    }
}
