using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SagaWorkflows.Bridge.Api;
using SagaWorkflows.Bridge.Hosting;
using SagaWorkflows.Bridge.Security;
using SagaWorkflows.Bridge.Storage;
using SagaWorkflows.Bridge.Streaming;
using SagaWorkflows.Hosting;
using SagaWorkflows.Hosting.Health;

namespace SagaWorkflows.Bridge;

public static class BridgeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the bridge's store, notification hub, page assets and options (section
    /// <c>SagaWorkflows:Bridge</c>, database from <c>ConnectionStrings:Bridge</c>). Add the bus separately,
    /// with <see cref="BridgeBusRegistrationExtensions.AddSagaWorkflowsBridgeConsumers"/> in its registration,
    /// and map the endpoints with <see cref="BridgeEndpointRouteBuilderExtensions.MapSagaWorkflowsBridge"/>.
    /// </summary>
    public static IServiceCollection AddSagaWorkflowsBridge(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<BridgeOptions>()
            .Bind(configuration.GetSection(BridgeOptions.SectionName))
            .Configure(o =>
            {
                var connectionString = configuration.GetConnectionString(BridgeOptions.ConnectionStringName);
                if (!string.IsNullOrWhiteSpace(connectionString))
                {
                    o.ConnectionString = connectionString;
                }
            })
            .ValidateBySection(BridgeOptions.SectionName)
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddDbContextFactory<BridgeDbContext>((sp, db) => db
            .UseSqlite(sp.GetRequiredService<IOptions<BridgeOptions>>().Value.ConnectionString)
            // One command per relayed event would drown the host's log at Information.
            .ConfigureWarnings(w => w.Log((RelationalEventId.CommandExecuted, LogLevel.Debug))));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<BridgeOptions>>().Value;
            return new BridgeEventHub(o.MaxConcurrentStreams, o.StreamBufferSize);
        });
        services.AddSingleton(sp => new ClientStreamLimiter(sp.GetRequiredService<IOptions<BridgeOptions>>().Value.MaxStreamsPerClient));
        services.AddSingleton<BridgeEventStore>();
        services.AddSingleton<RedriveRejections>();
        services.AddBridgeSecurity(configuration);

        // Answers ASP.NET Core writes itself (405, an unmatched route) carry a problem body too, with UseStatusCodePages.
        services.AddProblemDetails();
        services.AddSingleton<BridgeAssets>();
        services.AddHostedService<BridgeStoreInitializer>();
        services.AddSingleton<BridgeRetention>();
        services.AddHostedService<BridgeRetentionService>();
        services.AddSagaWorkflowsHealthChecks()
            .AddCheck<BridgeStoreHealthCheck>("bridge-store", tags: [SagaWorkflowsHealthChecks.ReadyTag]);
        return services;
    }
}
