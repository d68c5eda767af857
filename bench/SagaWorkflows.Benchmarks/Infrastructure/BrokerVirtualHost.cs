using System.Diagnostics;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace SagaWorkflows.Benchmarks.Infrastructure;

/// <summary>
/// A RabbitMQ virtual host that lives as long as one benchmark run, so its queues never meet those of
/// tests or other runs on the same broker, and deleting it removes everything the run declared.
/// </summary>
public sealed class BrokerVirtualHost : IAsyncDisposable
{
    private readonly string _node;

    private BrokerVirtualHost(string host, int port, string node, string name)
    {
        Host = host;
        Port = port;
        _node = node;
        Name = name;
    }

    public string Host { get; }
    public int Port { get; }
    public string Name { get; }

    public Uri AmqpUri => new($"amqp://guest:guest@{Host}:{Port}/{Uri.EscapeDataString(Name)}");

    public static async Task<BrokerVirtualHost> CreateAsync(string host, int port, string node, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"RabbitMQ is not listening on {host}:{port}; start it with build/ensure-rabbitmq.sh.", ex);
        }

        var name = "sagawf-bench-" + Guid.NewGuid().ToString("N")[..12];
        await RabbitMqCtl(node, cancellationToken, "add_vhost", name);
        var vhost = new BrokerVirtualHost(host, port, node, name);
        try
        {
            await RabbitMqCtl(node, cancellationToken, "set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        }
        catch
        {
            await vhost.DisposeAsync();
            throw;
        }

        return vhost;
    }

    /// <summary>Consumers on a queue, or null while the queue does not exist yet.</summary>
    public async Task<uint?> ConsumerCountAsync(string queue, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { HostName = Host, Port = Port, VirtualHost = Name, UserName = "guest", Password = "guest" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            return ok.ConsumerCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Not cancellable: a run interrupted by Ctrl+C must still remove its virtual host.
            await RabbitMqCtl(_node, CancellationToken.None, "delete_vhost", Name);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"warning: could not delete virtual host {Name}: {ex.Message}");
        }
    }

    private static async Task RabbitMqCtl(string node, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/rabbitmqctl") ? "/usr/sbin/rabbitmqctl" : "rabbitmqctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-n");
        start.ArgumentList.Add(node);
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
    }
}
