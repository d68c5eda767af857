using SagaWorkflows.Testing;
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
        await RabbitMqCtl.EnsureListeningAsync(host, port, cancellationToken);
        var name = "sagawf-bench-" + Guid.NewGuid().ToString("N")[..12];
        var vhost = new BrokerVirtualHost(host, port, node, name);
        try
        {
            await RabbitMqCtl.AddVirtualHostAsync(name, node, cancellationToken);
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
            await RabbitMqCtl.DeleteVirtualHostAsync(Name, _node, CancellationToken.None);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"warning: could not delete virtual host {Name}: {ex.Message}");
        }
    }
}
