using System.Net.Sockets;
using RabbitMQ.Client;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>The real broker the integration tests use: <c>ConnectionStrings__RabbitMq</c>, else localhost guest/guest.</summary>
public static class RabbitMqBroker
{
    public static Uri Address { get; } = new(
        Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq") is { Length: > 0 } configured
            ? configured
            : "amqp://guest:guest@localhost:5672/");

    public static async Task EnsureReachableAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await client.ConnectAsync(Address.Host, Address.Port > 0 ? Address.Port : 5672, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"No RabbitMQ broker at {Address.Host}:{Address.Port}; start one with build/ensure-rabbitmq.sh.", ex);
        }
    }

    /// <summary>Removes a test's queue and the exchange MassTransit bound to it, so tests leave the broker as they found it.</summary>
    public static async Task DeleteQueueAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = Address };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
        await channel.ExchangeDeleteAsync(queue, ifUnused: false);
    }
}
