using System.Net.Sockets;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SagaWorkflows.Hosting;

namespace SagaWorkflows.Cli.Messaging;

/// <summary>
/// A short-lived MassTransit bus on RabbitMQ that publishes the commands (<c>StartWorkflow</c>,
/// <c>SignalWorkflow</c>, <c>CancelWorkflow</c>) exactly as the other SagaWorkflows processes would.
/// Connecting is bounded: MassTransit on its own retries an unreachable broker forever, which
/// would leave a CLI hanging with no explanation.
/// </summary>
public sealed class BrokerClient : IAsyncDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly ServiceProvider _services;
    private readonly IBusControl _bus;

    private BrokerClient(BrokerAddress address, ServiceProvider services, IBusControl bus)
    {
        Address = address;
        _services = services;
        _bus = bus;
    }

    public BrokerAddress Address { get; }

    public static async Task<BrokerClient> ConnectAsync(BrokerAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);

        // A plain AMQP connection first: it fails within seconds and says why (refused, unknown
        // host, wrong credentials), where a starting bus would only keep retrying.
        await ProbeAsync(address, cancellationToken);

        var services = new ServiceCollection();
        services.AddSagaWorkflowsBus(new SagaWorkflowsBusOptions
        {
            Transport = SagaWorkflowsTransport.RabbitMq,
            RabbitMq = address.Uri.ToString(),
            QueueType = QueueTypeFromEnvironment(),
        }, _ => { });
        var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await bus.StartAsync(timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await StopQuietlyAsync(bus);
            await provider.DisposeAsync();
            throw Unreachable(address, ex is OperationCanceledException
                ? $"the bus did not start within {StartTimeout.TotalSeconds:0} s"
                : ex.GetBaseException().Message);
        }

        return new BrokerClient(address, provider, bus);
    }

    /// <summary>
    /// <c>SagaWorkflows__Bus__QueueType</c>, as the hosts read it: the CLI's bus addresses and declares product queues the
    /// same way (its own reply queue is temporary, so it stays a classic queue either way).
    /// </summary>
    private static SagaWorkflowsQueueType QueueTypeFromEnvironment()
    {
        var variable = SagaWorkflowsBusOptions.QueueTypeKey.Replace(":", "__", StringComparison.Ordinal);
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return SagaWorkflowsQueueType.Classic;
        }

        return Enum.TryParse<SagaWorkflowsQueueType>(value.Trim(), ignoreCase: true, out var type) && Enum.IsDefined(type) && !value.Trim().All(char.IsAsciiDigit)
            ? type
            : throw new CliException(ExitCodes.Usage, $"{variable} must be classic or quorum (is '{value}')", $"unset {variable} or set it to the hosts' value");
    }

    /// <summary>
    /// Publishes <paramref name="message"/> and returns once RabbitMQ has it (publisher confirms). With
    /// <paramref name="mandatory"/>, a message no queue is bound to receive is returned by the broker
    /// instead of dropped, and this throws <see cref="UnroutableMessageException"/>.
    /// </summary>
    public async Task PublishAsync<T>(T message, CancellationToken cancellationToken, bool mandatory = false)
        where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            await _bus.Publish(message, context =>
            {
                if (mandatory && context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                {
                    rabbit.Mandatory = true;
                }
            }, timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && mandatory && IsReturned(ex))
        {
            throw new UnroutableMessageException(typeof(T).Name, ex.GetBaseException().Message);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(Address, ex is OperationCanceledException
                ? $"RabbitMQ did not confirm the {typeof(T).Name} message within {PublishTimeout.TotalSeconds:0} s"
                : $"publishing {typeof(T).Name} failed: {ex.GetBaseException().Message}");
        }
    }

    /// <summary>How long a request waits for the orchestrator's answer.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Publishes <paramref name="message"/> as a request (mandatory: a request no queue receives throws
    /// <see cref="UnroutableMessageException"/>) and returns the answer's message, one of the response types.
    /// </summary>
    /// <exception cref="CliException">No answer within <see cref="RequestTimeout"/> (exit code 3).</exception>
    public async Task<object> RequestAsync<TRequest, TResponse1, TResponse2>(TRequest message, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse1 : class
        where TResponse2 : class
    {
        var client = _bus.CreateRequestClient<TRequest>(MassTransit.RequestTimeout.After(s: (int)RequestTimeout.TotalSeconds));
        try
        {
            var response = await client.GetResponse<TResponse1, TResponse2>(message, r => r.UseExecute(Mandatory), cancellationToken);
            return response.Message;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsReturned(ex))
        {
            throw new UnroutableMessageException(typeof(TRequest).Name, ex.GetBaseException().Message);
        }
        catch (RequestTimeoutException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable,
                $"no orchestrator answered the {typeof(TRequest).Name} request within {RequestTimeout.TotalSeconds:0} s at {Address.Display}",
                "check that an orchestrator runs against this broker and vhost (its log says so), then retry");
        }
    }

    private static void Mandatory(SendContext context)
    {
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
        {
            rabbit.Mandatory = true;
        }
    }

    private static bool IsReturned(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is MessageReturnedException)
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await StopQuietlyAsync(_bus);
        await _services.DisposeAsync();
    }

    public static CliException Unreachable(BrokerAddress address, string reason)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new CliException(ExitCodes.Unreachable,
            $"cannot reach RabbitMQ at {address.Display} ({address.Source}): {reason}",
            $"start a local broker with build/ensure-rabbitmq.sh, or point sagawf at yours with --rabbitmq amqp://user:password@host:5672/ or the {BrokerAddress.EnvironmentVariable} environment variable");
    }

    private static async Task ProbeAsync(BrokerAddress address, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = address.Uri,
            RequestedConnectionTimeout = ConnectTimeout,
            HandshakeContinuationTimeout = ConnectTimeout,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            ClientProvidedName = "sagawf (connection check)",
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout + TimeSpan.FromSeconds(1));
        try
        {
            await using var connection = await factory.CreateConnectionAsync(timeout.Token);
            await connection.CloseAsync(timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ex is AuthenticationFailureException || ex.InnerException is AuthenticationFailureException
                ? new CliException(ExitCodes.Unreachable,
                    $"RabbitMQ at {address.Display} ({address.Source}) refused the credentials: {ex.GetBaseException().Message}",
                    "check the user name and password in the URI")
                : Unreachable(address, Describe(ex));
        }
    }

    private static string Describe(Exception ex)
    {
        if (ex is OperationCanceledException)
        {
            return $"no answer within {ConnectTimeout.TotalSeconds:0} s";
        }

        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.Message;
            }
        }

        return ex.GetBaseException().Message;
    }

    private static async Task StopQuietlyAsync(IBusControl bus)
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await bus.StopAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or InvalidOperationException)
        {
            // The process is about to exit; a bus that cannot stop cleanly must not turn success into failure.
        }
    }
}

/// <summary>RabbitMQ returned a mandatory message: no queue is bound to receive it.</summary>
public sealed class UnroutableMessageException(string messageType, string reason)
    : Exception($"RabbitMQ returned the {messageType} message: no queue receives it ({reason})")
{
    public string MessageType { get; } = messageType;
}
