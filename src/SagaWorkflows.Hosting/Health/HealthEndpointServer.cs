using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SagaWorkflows.Hosting.Health;

/// <summary>
/// A small Kestrel listener beside a generic host (orchestrator, worker) that serves only the health endpoints, running the
/// host's own health checks. Started first and stopped last with the host, so a probe sees "not ready" while the bus starts.
/// </summary>
internal sealed partial class HealthEndpointServer(SagaWorkflowsHealthOptions options, HealthCheckService checks, ILogger<HealthEndpointServer> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.Logging.ClearProviders();
        // The host's checks, not a registry of this listener's own: AddHealthChecks' service is replaced by the host's.
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton(checks);
        var app = builder.Build();
        app.MapSagaWorkflowsHealth();
        await app.StartAsync(cancellationToken);
        _app = app;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        LogListening(addresses);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health endpoints /health/live and /health/ready listening on {Addresses}")]
    private partial void LogListening(ICollection<string> addresses);
}
