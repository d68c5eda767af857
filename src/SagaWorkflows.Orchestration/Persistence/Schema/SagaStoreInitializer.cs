using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// Creates the saga store at startup. Runs in <see cref="StartingAsync"/>, which a host calls for all services
/// before any <c>StartAsync</c>, so the schema exists before the bus starts consuming, whatever the registration order.
/// </summary>
public sealed class SagaStoreInitializer<TContext>(IServiceProvider services) : IHostedLifecycleService
    where TContext : DbContext
{
    private int _created;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        return EnsureCreatedAsync(cancellationToken);
    }

    // Hosts without the lifecycle phase (the MassTransit test harness calls StartAsync only) still get the schema.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        return EnsureCreatedAsync(cancellationToken);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _created) == 1)
        {
            return;
        }

        await services.EnsureSagaStoreCreatedAsync<TContext>(cancellationToken).ConfigureAwait(false);

        Volatile.Write(ref _created, 1);
    }
}
