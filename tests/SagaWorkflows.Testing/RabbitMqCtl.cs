using System.Diagnostics;
using System.Net.Sockets;

namespace SagaWorkflows.Testing;

/// <summary>
/// The local Debian broker's admin tool (build/ensure-rabbitmq.sh starts the broker as
/// <c>rabbit@localhost</c>): tests and benchmarks give each fixture a virtual host of its own.
/// </summary>
public static class RabbitMqCtl
{
    public static string NodeName => Environment.GetEnvironmentVariable("RABBITMQ_NODENAME") ?? "rabbit@localhost";

    public static async Task EnsureListeningAsync(string host = "localhost", int port = 5672, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"RabbitMQ is not listening on {host}:{port}. Run build/ensure-rabbitmq.sh (build/test.sh does).", ex);
        }
    }

    public static async Task AddVirtualHostAsync(string name, string? node = null, CancellationToken cancellationToken = default)
    {
        await RunAsync(node, cancellationToken, "add_vhost", name);
        await RunAsync(node, cancellationToken, "set_permissions", "-p", name, "guest", ".*", ".*", ".*");
    }

    public static Task DeleteVirtualHostAsync(string name, string? node = null, CancellationToken cancellationToken = default) =>
        RunAsync(node, cancellationToken, "delete_vhost", name);

    /// <summary>Every queue of <paramref name="vhost"/> with its type (classic, quorum), durability, auto-delete and exclusive flags.</summary>
    public static async Task<IReadOnlyList<(string Name, string Type, bool Durable, bool AutoDelete, bool Exclusive)>> ListQueuesAsync(string vhost, CancellationToken cancellationToken = default)
    {
        var output = await RunAsync(null, cancellationToken, "list_queues", "-q", "--no-table-headers", "-p", vhost, "name", "type", "durable", "auto_delete", "exclusive");
        // A quorum queue has no exclusive flag: its last column is empty, so the line is not trimmed as a whole.
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', StringSplitOptions.TrimEntries))
            .Where(fields => fields.Length >= 4)
            .Select(fields => (fields[0], fields[1], fields[2] == "true", fields[3] == "true", fields.Length > 4 && fields[4] == "true"))
            .ToList();
    }

    /// <summary>Runs rabbitmqctl and returns what it wrote to standard output.</summary>
    public static async Task<string> RunAsync(string? node, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/rabbitmqctl") ? "/usr/sbin/rabbitmqctl" : "rabbitmqctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-n");
        start.ArgumentList.Add(node ?? NodeName);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmqctl could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }

        return await stdout;
    }
}
