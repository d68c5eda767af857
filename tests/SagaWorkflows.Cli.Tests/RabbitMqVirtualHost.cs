using SagaWorkflows.Testing;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace SagaWorkflows.Cli.Tests;

/// <summary>
/// A virtual host of its own on the local RabbitMQ (started by build/ensure-rabbitmq.sh), so what the
/// CLI publishes here reaches no orchestrator and no other test.
/// </summary>
public sealed class RabbitMqVirtualHost : IAsyncLifetime
{
    private const string Host = "localhost";
    private const int Port = 5672;

    public string Name { get; } = $"sagawf-cli-{Guid.NewGuid():N}"[..24];

    public string AmqpUri => $"amqp://guest:guest@{Host}:{Port}/{Uri.EscapeDataString(Name)}";

    public async Task InitializeAsync()
    {
        await RabbitMqCtl.EnsureListeningAsync(Host, Port);
        await RabbitMqCtl.AddVirtualHostAsync(Name);
    }

    public Task DisposeAsync() => RabbitMqCtl.DeleteVirtualHostAsync(Name);

    /// <summary>A new queue bound to the exchange MassTransit publishes <typeparamref name="T"/> to: it sees only what is published from now on.</summary>
    public async Task<string> BindQueueAsync<T>()
    {
        var exchange = $"{typeof(T).Namespace}:{typeof(T).Name}";
        var queue = $"cli-test-{typeof(T).Name}-{Guid.NewGuid():N}";
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, exchange, "");
        return queue;
    }

    /// <summary>The MassTransit envelope of the one message in the queue.</summary>
    public async Task<JsonElement> TakeEnvelopeAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var message = await channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(message);
        Assert.Equal(0u, message.MessageCount);
        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(message.Body.Span));
        return document.RootElement.Clone();
    }

    private Task<IConnection> ConnectAsync() => new ConnectionFactory
    {
        HostName = Host,
        Port = Port,
        VirtualHost = Name,
        UserName = "guest",
        Password = "guest",
    }.CreateConnectionAsync();

}
