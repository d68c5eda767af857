using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting.Queues;

namespace SagaWorkflows.Hosting;

public static class SagaWorkflowsBusExtensions
{
    /// <summary>The address of the durable scheduler endpoint hosted by the orchestrator, on classic queues
    /// (<see cref="SagaWorkflowsQueues.Address"/> gives it for the configured queue type).</summary>
    public static readonly Uri SchedulerAddress = new("queue:" + QueueNames.Scheduler);

    /// <summary>
    /// Reads transport settings from configuration: <c>SagaWorkflows:Transport</c> (RabbitMq or
    /// InMemory), <c>ConnectionStrings:RabbitMq</c>, <c>SagaWorkflows:PrefetchCount</c>,
    /// <c>SagaWorkflows:Bus:QueueType</c> (classic or quorum); throws
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming every invalid setting.
    /// </summary>
    public static SagaWorkflowsBusOptions ReadBusOptions(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new SagaWorkflowsBusOptions();
        configuration.GetSection(SagaWorkflowsBusOptions.SectionName).Bind(options);
        options.RabbitMq = configuration.GetConnectionString("RabbitMq") ?? options.RabbitMq;
        var failures = OptionsValidation.Validate(options, SagaWorkflowsBusOptions.SectionName).ToList();
        if (configuration[SagaWorkflowsBusOptions.QueueTypeKey] is { } queueType)
        {
            // Parsed here rather than bound: the binder would throw its own exception, not name the setting like the others.
            if (Enum.TryParse<SagaWorkflowsQueueType>(queueType.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                && !queueType.Trim().All(char.IsAsciiDigit))
            {
                options.QueueType = parsed;
            }
            else
            {
                failures.Add($"{SagaWorkflowsBusOptions.QueueTypeKey}: must be classic or quorum (is '{queueType}')");
            }
        }

        if (failures.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(SagaWorkflowsBusOptions.SectionName, typeof(SagaWorkflowsBusOptions), failures);
        }

        return options;
    }

    /// <summary>
    /// Adds MassTransit on the configured transport with the conventions every SagaWorkflows process
    /// shares: System.Text.Json, the message scheduler (durable Quartz endpoint on RabbitMQ, the
    /// transport's own delayed delivery in memory), endpoints configured from registrations.
    /// </summary>
    /// <remarks>
    /// A worker (<c>AddSagaWorkflowsWorker</c>) may be added before or after this call. Components with
    /// registrations of their own (the orchestrator) must be added before; adding them after throws.
    /// An application that already calls <c>AddMassTransit</c> uses <see cref="AddSagaWorkflows"/> and
    /// <see cref="UseSagaWorkflows"/> inside it instead.
    /// </remarks>
    public static IServiceCollection AddSagaWorkflowsBus(this IServiceCollection services, SagaWorkflowsBusOptions options,
        Action<IBusRegistrationConfigurator>? configure = null,
        Action<IBusRegistrationContext, IBusFactoryConfigurator>? configureBus = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddMassTransit(x =>
        {
            x.AddSagaWorkflows(options);
            configure?.Invoke(x);

            if (options.Transport == SagaWorkflowsTransport.InMemory)
            {
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseSagaWorkflows(context);
                    configureBus?.Invoke(context, cfg);
                    cfg.ConfigureEndpoints(context);
                });
                return;
            }

            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(options.RabbitMq));
                cfg.PrefetchCount = options.PrefetchCount;
                cfg.UseSagaWorkflows(context);
                configureBus?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }

    /// <summary>
    /// Joins SagaWorkflows to an application's own <c>AddMassTransit</c>: adds the registrations of the
    /// components added so far (orchestrator, bridge consumers) and the message scheduler. The bus
    /// factory (<c>UsingRabbitMq</c>, <c>UsingInMemory</c>) must then call
    /// <see cref="UseSagaWorkflows"/> before <c>ConfigureEndpoints</c>; the host refuses to start
    /// without it. The application keeps its own host, credentials and conventions.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddSagaWorkflowsWorker(w => w.AddTool&lt;ReserveInventory&gt;());
    /// services.AddMassTransit(x =>
    /// {
    ///     x.AddConsumer&lt;MyOwnConsumer&gt;();
    ///     x.AddSagaWorkflows(configuration.ReadBusOptions());
    ///     x.UsingRabbitMq((context, cfg) =>
    ///     {
    ///         cfg.Host(new Uri(configuration.GetConnectionString("RabbitMq")!));
    ///         cfg.UseSagaWorkflows(context);
    ///         cfg.ConfigureEndpoints(context);
    ///     });
    /// });
    /// </code>
    /// </example>
    public static IBusRegistrationConfigurator AddSagaWorkflows(this IBusRegistrationConfigurator configurator, SagaWorkflowsBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(options);
        if (configurator.Any(d => d.ServiceType == typeof(SagaWorkflowsBusState)))
        {
            throw new InvalidOperationException(
                "SagaWorkflows is already on this bus: call AddSagaWorkflowsBus or AddMassTransit(x => x.AddSagaWorkflows(...)) once.");
        }

        var state = new SagaWorkflowsBusState(options)
        {
            Scheduler = configurator
                .Where(d => d.ServiceType == typeof(ISagaWorkflowsMessageScheduler) && d.ImplementationInstance is not null)
                .Select(d => (ISagaWorkflowsMessageScheduler)d.ImplementationInstance!)
                .LastOrDefault(),
        };
        configurator.AddSingleton(state);
        configurator.AddSingleton(options);
        configurator.AddSingleton(state.Queues);
        if (state.Queues.IsQuorum)
        {
            configurator.AddSingleton(sp => new QuorumQueueDeclarer(options.RabbitMq, state.Queues));
        }
        configurator.AddHostedService<SagaWorkflowsBusCheck>();

        // MassTransit reports usage to its vendor unless told not to: a bus with SagaWorkflows on it does not
        // phone home unless its operator opts in (SagaWorkflows:UsageTelemetry=true).
        if (!options.UsageTelemetry)
        {
            configurator.DisableUsageTelemetry();
        }

        foreach (var contributor in Contributors(configurator))
        {
            contributor.ConfigureRegistrations(configurator, options);
        }

        if (state.Scheduler is { } scheduler)
        {
            scheduler.ConfigureRegistrations(configurator);
        }
        else if (options.Transport == SagaWorkflowsTransport.InMemory)
        {
            configurator.AddDelayedMessageScheduler();
        }
        else
        {
            configurator.AddMessageScheduler(state.Queues.Address(QueueNames.Scheduler));
        }

        return configurator;
    }

    /// <summary>
    /// The bus half of <see cref="AddSagaWorkflows"/>: the message scheduler and the endpoints of every
    /// SagaWorkflows component in the container (tool, compensation and AI queues of a worker).
    /// </summary>
    public static void UseSagaWorkflows(this IBusFactoryConfigurator configurator, IBusRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(context);
        var state = context.GetService<SagaWorkflowsBusState>()
            ?? throw new InvalidOperationException(
                "UseSagaWorkflows needs x.AddSagaWorkflows(options) in the same AddMassTransit registration.");
        if (state.Scheduler is { } scheduler)
        {
            scheduler.ConfigureBus(context, configurator);
        }
        else if (state.Options.Transport == SagaWorkflowsTransport.InMemory)
        {
            configurator.UseDelayedMessageScheduler();
        }
        else
        {
            configurator.UseMessageScheduler(state.Queues.Address(QueueNames.Scheduler));
        }

        if (state.Queues.IsQuorum)
        {
            // Every durable endpoint of this bus is declared a quorum queue, and every product queue this process sends to
            // is declared one before the first send (its address is its exchange: see SagaWorkflowsQueues.Address).
            configurator.ConnectEndpointConfigurationObserver(new QuorumQueueEndpointObserver());
            var declarer = context.GetRequiredService<QuorumQueueDeclarer>();
            configurator.ConfigureSend(send => send.UseFilter(new QuorumQueueSendFilter(declarer)));
        }

        foreach (var contributor in context.GetServices<ISagaWorkflowsBusContributor>())
        {
            contributor.ConfigureBus(context, configurator, state.Options);
        }

        state.BusConfigured = true;
    }

    /// <summary>
    /// Adds a component to the bus. Before the bus: its registrations and endpoints are added with it.
    /// After: only a component without registrations (<see cref="ISagaWorkflowsBusContributor.HasRegistrations"/>
    /// false) can still join, its endpoints being configured when the bus is created; any other throws.
    /// </summary>
    public static IServiceCollection AddBusContributor(this IServiceCollection services, ISagaWorkflowsBusContributor contributor)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(contributor);
        if (contributor.HasRegistrations && services.Any(d => d.ServiceType == typeof(SagaWorkflowsBusState)))
        {
            throw new InvalidOperationException(
                $"{contributor.GetType().Name} was added after the bus: call AddSagaWorkflowsOrchestrator (and the other SagaWorkflows components) "
                + "before AddSagaWorkflowsBus, or before AddSagaWorkflows inside your own AddMassTransit.");
        }

        return services.AddSingleton(contributor);
    }

    /// <summary>
    /// Replaces how this process's bus schedules messages (retries' redeliveries, sleeps' and timeouts' wake-ups): by
    /// default the transport's delayed delivery in memory and the durable scheduler endpoint on RabbitMQ. The test kit
    /// (<c>SagaWorkflows.TestKit</c>) schedules on a clock the test controls this way. Call before
    /// <see cref="AddSagaWorkflowsBus"/> (or <see cref="AddSagaWorkflows"/>); after them it throws.
    /// </summary>
    public static IServiceCollection AddSagaWorkflowsMessageScheduler(this IServiceCollection services, ISagaWorkflowsMessageScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(scheduler);
        if (services.Any(d => d.ServiceType == typeof(SagaWorkflowsBusState)))
        {
            throw new InvalidOperationException(
                "AddSagaWorkflowsMessageScheduler was called after the bus: call it before AddSagaWorkflowsBus, or before AddSagaWorkflows inside your own AddMassTransit.");
        }

        return services.AddSingleton(scheduler);
    }

    private static List<ISagaWorkflowsBusContributor> Contributors(IServiceCollection services) =>
        services
            .Where(d => d.ServiceType == typeof(ISagaWorkflowsBusContributor) && d.ImplementationInstance is not null)
            .Select(d => (ISagaWorkflowsBusContributor)d.ImplementationInstance!)
            .ToList();

    /// <summary>What <see cref="AddSagaWorkflows"/> records for <see cref="UseSagaWorkflows"/> and the start check.</summary>
    internal sealed class SagaWorkflowsBusState(SagaWorkflowsBusOptions options)
    {
        public SagaWorkflowsBusOptions Options { get; } = options;

        /// <summary>The queue type applies to RabbitMQ; the in-memory transport has classic queues only.</summary>
        public SagaWorkflowsQueues Queues { get; } = options.Transport == SagaWorkflowsTransport.RabbitMq
            ? new SagaWorkflowsQueues(options.QueueType)
            : SagaWorkflowsQueues.Classic;

        /// <summary>A replacement for the default message scheduler (<see cref="AddSagaWorkflowsMessageScheduler"/>), or null.</summary>
        public ISagaWorkflowsMessageScheduler? Scheduler { get; init; }

        public volatile bool BusConfigured;
    }

    /// <summary>
    /// Creates the bus at host start and refuses to go on if its factory never called
    /// <see cref="UseSagaWorkflows"/>: the worker's queues and the scheduler would silently be missing.
    /// </summary>
    internal sealed class SagaWorkflowsBusCheck(IServiceProvider services, SagaWorkflowsBusState state) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<IBusControl>();
            if (!state.BusConfigured)
            {
                throw new InvalidOperationException(
                    "AddSagaWorkflows was called inside AddMassTransit, but the bus factory never called cfg.UseSagaWorkflows(context): "
                    + "add it to UsingRabbitMq/UsingInMemory before cfg.ConfigureEndpoints(context), or no SagaWorkflows endpoint exists.");
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
