using SagaWorkflows.Testing;
using RabbitMQ.Client;

namespace SagaWorkflows.IntegrationTests.Infrastructure;

/// <summary>
/// The real RabbitMQ the tests run against (started by build/ensure-rabbitmq.sh). Each fixture gets
/// a virtual host of its own, so test classes running in parallel never share a queue.
/// </summary>
public static class Broker
{
    public const string Host = "localhost";
    public const int Port = 5672;

    public static async Task<string> CreateVirtualHostAsync(string prefix)
    {
        await RabbitMqCtl.EnsureListeningAsync(Host, Port);
        var vhost = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, prefix.Length + 33)];
        await RabbitMqCtl.AddVirtualHostAsync(vhost);
        return vhost;
    }

    public static Task DeleteVirtualHostAsync(string vhost) => RabbitMqCtl.DeleteVirtualHostAsync(vhost);

    public static string AmqpUri(string vhost) => $"amqp://guest:guest@{Host}:{Port}/{Uri.EscapeDataString(vhost)}";

    /// <summary>Messages and consumers of a queue, or null when it does not exist.</summary>
    public static async Task<(uint Messages, uint Consumers)?> QueueInfoAsync(string vhost, string queue)
    {
        var factory = new ConnectionFactory { HostName = Host, Port = Port, VirtualHost = vhost, UserName = "guest", Password = "guest" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue);
            return (ok.MessageCount, ok.ConsumerCount);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return null;
        }
    }

    public static async Task PublishRawAsync(string vhost, string queue, byte[] body, string contentType, string? messageType = null)
    {
        var factory = new ConnectionFactory { HostName = Host, Port = Port, VirtualHost = vhost, UserName = "guest", Password = "guest" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties { ContentType = contentType, Persistent = true, MessageId = Guid.NewGuid().ToString() };
        if (messageType is not null)
        {
            properties.Type = messageType;
        }

        await channel.BasicPublishAsync("", queue, mandatory: false, properties, body);
    }
}
