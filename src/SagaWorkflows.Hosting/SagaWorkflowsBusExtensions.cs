using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Hosting;

public static class SagaWorkflowsBusExtensions
{
    /// <summary>The address of the durable scheduler endpoint hosted by the orchestrator.</summary>
    public static readonly Uri SchedulerAddress = new("queue:" + QueueNames.Scheduler);

    /// <summary>
    /// Reads transport settings from configuration: <c>SagaWorkflows:Transport</c> (RabbitMq or
    /// InMemory), <c>ConnectionStrings:RabbitMq</c>, <c>SagaWorkflows:PrefetchCount</c>.
    /// </summary>
    public static SagaWorkflowsBusOptions ReadBusOptions(this IConfiguration configuration)
    {
        var options = new SagaWorkflowsBusOptions();
        configuration.GetSection("SagaWorkflows").Bind(options);
        options.RabbitMq = configuration.GetConnectionString("RabbitMq") ?? options.RabbitMq;
        return options;
    }

    /// <summary>
    /// Adds MassTransit on the configured transport with the conventions every SagaWorkflows process
    /// shares: System.Text.Json, the message scheduler (durable Quartz endpoint on RabbitMQ, the
    /// transport's own delayed delivery in memory), endpoints configured from registrations.
    /// </summary>
    /// <remarks>Components added before this call (<see cref="AddBusContributor"/>) add their own
    /// registrations and endpoints.</remarks>
    public static IServiceCollection AddSagaWorkflowsBus(this IServiceCollection services, SagaWorkflowsBusOptions options,
        Action<IBusRegistrationConfigurator>? configure = null,
        Action<IBusRegistrationContext, IBusFactoryConfigurator>? configureBus = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        var contributors = services
            .Where(d => d.ServiceType == typeof(ISagaWorkflowsBusContributor) && d.ImplementationInstance is not null)
            .Select(d => (ISagaWorkflowsBusContributor)d.ImplementationInstance!)
            .ToList();
        services.AddSingleton(options);
        services.AddMassTransit(x =>
        {
            if (!options.UsageTelemetry)
            {
                x.DisableUsageTelemetry();
            }

            foreach (var contributor in contributors)
            {
                contributor.ConfigureRegistrations(x, options);
            }

            configure?.Invoke(x);

            if (options.Transport == SagaWorkflowsTransport.InMemory)
            {
                x.AddDelayedMessageScheduler();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    Contribute(context, cfg, contributors, options);
                    configureBus?.Invoke(context, cfg);
                    cfg.ConfigureEndpoints(context);
                });
                return;
            }

            x.AddMessageScheduler(SchedulerAddress);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(options.RabbitMq));
                cfg.PrefetchCount = options.PrefetchCount;
                cfg.UseMessageScheduler(SchedulerAddress);
                Contribute(context, cfg, contributors, options);
                configureBus?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }

    /// <summary>Adds a component to the bus that <see cref="AddSagaWorkflowsBus"/> creates later.</summary>
    public static IServiceCollection AddBusContributor(this IServiceCollection services, ISagaWorkflowsBusContributor contributor) =>
        services.AddSingleton(contributor);

    private static void Contribute(IBusRegistrationContext context, IBusFactoryConfigurator cfg,
        List<ISagaWorkflowsBusContributor> contributors, SagaWorkflowsBusOptions options)
    {
        foreach (var contributor in contributors)
        {
            contributor.ConfigureBus(context, cfg, options);
        }
    }
}
