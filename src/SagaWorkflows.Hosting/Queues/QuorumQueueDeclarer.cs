using System.Collections.Concurrent;
using RabbitMQ.Client;

namespace SagaWorkflows.Hosting.Queues;

/// <summary>
/// Declares product queues as quorum queues on a connection of its own (MassTransit declares a send address's queue
/// without arguments, see <see cref="SagaWorkflowsQueues.Address"/>). Each queue once per process; a failed declaration
/// (broker unreachable) is tried again by the next send, which fails meanwhile and is retried like any failed send.
/// </summary>
internal sealed class QuorumQueueDeclarer(string rabbitMqUri, SagaWorkflowsQueues queues) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _declared = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;

    public Task EnsureAsync(string queue, CancellationToken cancellationToken)
    {
        var declaration = _declared.GetOrAdd(queue, name => new Lazy<Task>(() => DeclareAsync(name)));
        return declaration.Value.WaitAsync(cancellationToken);
    }

    private async Task DeclareAsync(string queue)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var connection = await ConnectAsync(timeout.Token).ConfigureAwait(false);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            await queues.DeclareAsync(channel, queue, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            // Forget the failure at once, so the next send tries again rather than rethrowing this one.
            _declared.TryRemove(queue, out _);
            throw;
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsOpen: true } open)
            {
                return open;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }

            var factory = new ConnectionFactory { Uri = new Uri(rabbitMqUri), ClientProvidedName = "sagawf-quorum-queue-declarer" };
            _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _connecting.Dispose();
    }
}
