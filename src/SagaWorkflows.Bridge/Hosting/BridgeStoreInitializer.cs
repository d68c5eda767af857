using Microsoft.Extensions.Hosting;
using SagaWorkflows.Bridge.Storage;

namespace SagaWorkflows.Bridge.Hosting;

/// <summary>Creates the database at startup, so a bad connection string fails the host instead of the first request.</summary>
internal sealed class BridgeStoreInitializer(BridgeEventStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
