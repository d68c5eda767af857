using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>
/// Wires the durable message scheduler: Quartz on a SQLite store, and the consumers of MassTransit's
/// <c>ScheduleMessage</c> / <c>CancelScheduledMessage</c> on <see cref="QueueNames.Scheduler"/>.
/// </summary>
/// <example>
/// The scheduler host:
/// <code>
/// services.AddSagaWorkflowsScheduler("Data Source=scheduler.db");
/// services.AddMassTransit(x =>
/// {
///     x.AddSagaWorkflowsSchedulerConsumers();
///     x.UsingRabbitMq((context, cfg) =>
///     {
///         cfg.ConfigureSagaWorkflowsSchedulerEndpoint(context); // or cfg.ConfigureEndpoints(context)
///     });
/// });
/// </code>
/// Every client (the scheduler host included):
/// <code>
/// x.AddMessageScheduler(SchedulerRegistrationExtensions.SchedulerAddress);
/// cfg.UseMessageScheduler(SchedulerRegistrationExtensions.SchedulerAddress);
/// </code>
/// </example>
public static class SchedulerRegistrationExtensions
{
    /// <summary>The Quartz scheduler name; every node sharing one store must use the same.</summary>
    public const string DefaultSchedulerName = "sagawf-scheduler";

    /// <summary>Where clients send their schedule and cancel commands.</summary>
    public static Uri SchedulerAddress { get; } = new("queue:" + QueueNames.Scheduler);

    /// <summary>
    /// Adds Quartz with a persistent store in SQLite (schema created when missing) and its hosted service,
    /// which shuts Quartz down with the host. Quartz is started by the bus, once it is ready, through
    /// <see cref="AddSagaWorkflowsSchedulerConsumers"/>.
    /// </summary>
    /// <remarks>
    /// One scheduler process per SQLite file: Quartz refuses clustered mode on SQLite, and two unclustered
    /// schedulers on one store would both fire every trigger. Scale out with the overload taking a
    /// database, on a server database with <c>clustered: true</c>.
    /// </remarks>
    /// <param name="configure">Runs last, to change anything, for example the scheduler name.</param>
    public static IServiceCollection AddSagaWorkflowsScheduler(this IServiceCollection services, string sqliteConnectionString,
        Action<IQuartzBuilder>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sqliteConnectionString);

        return services.AddSagaWorkflowsScheduler(store => store.UseSqlite(sqliteConnectionString), clustered: false, configure);
    }

    /// <summary>
    /// Adds Quartz with a persistent store in the database <paramref name="useDatabase"/> selects (for
    /// example <c>store => store.UsePostgres(connectionString)</c>), schema created when missing, and its
    /// hosted service.
    /// </summary>
    /// <param name="clustered">
    /// Whether several scheduler nodes share the database: each then gets its own instance id, a node
    /// starting up leaves alone what a live node holds, and a dead node's fired triggers are recovered
    /// by another.
    /// </param>
    /// <param name="configure">Runs last, to change anything, for example the scheduler name.</param>
    public static IServiceCollection AddSagaWorkflowsScheduler(this IServiceCollection services, Action<IPersistentStoreBuilder> useDatabase,
        bool clustered, Action<IQuartzBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(useDatabase);

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = DefaultSchedulerName);

            q.UsePersistentStore(store =>
            {
                useDatabase(store);
                store.ProvisionSchema();
                store.UseSystemTextJsonSerializer();

                if (clustered)
                {
                    store.UseClustering(_ => { });
                }
            });

            configure?.Invoke(q);
        });

        services.AddQuartzHostedService(o =>
        {
            // Firing before the bus is connected would fail every due send; the bus observer starts it.
            o.AutoStart = false;
            o.WaitForJobsToComplete = true;
        });

        return services;
    }

    /// <summary>
    /// Adds Quartz with an in-memory store (the embedded host on the in-memory transport: what it holds lasts as long as the
    /// process) and its hosted service; the bus starts it, as with the persistent store.
    /// </summary>
    public static IServiceCollection AddSagaWorkflowsInMemoryScheduler(this IServiceCollection services, Action<InMemoryJobStoreOptions>? configureStore = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = DefaultSchedulerName);
            q.UseInMemoryStore(o => configureStore?.Invoke(o));
        });
        services.AddQuartzHostedService(o =>
        {
            o.AutoStart = false;
            o.WaitForJobsToComplete = true;
        });

        return services;
    }

    /// <summary>
    /// Registers the schedule and cancel consumers (endpoint <see cref="QueueNames.Scheduler"/>, one message
    /// at a time, for <c>ConfigureEndpoints</c>) and the observer that starts Quartz when the bus is ready.
    /// </summary>
    public static IBusRegistrationConfigurator AddSagaWorkflowsSchedulerConsumers(this IBusRegistrationConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);

        configurator.AddBusObserver<SchedulerBusObserver>();
        configurator.AddConsumer<ScheduleMessageConsumer, ScheduleMessageConsumerDefinition>();
        configurator.AddConsumer<CancelScheduledMessageConsumer, CancelScheduledMessageConsumerDefinition>();

        return configurator;
    }

    /// <summary>
    /// Configures the scheduler consumers on an endpoint the caller declares, and limits it to one
    /// message at a time so schedules and cancels are applied in the order they were sent.
    /// </summary>
    public static void ConfigureSagaWorkflowsSchedulerConsumers(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpoint);

        endpoint.ConcurrentMessageLimit = SchedulerEndpoint.ConcurrentMessageLimit;
        endpoint.ConfigureConsumer<ScheduleMessageConsumer>(context);
        endpoint.ConfigureConsumer<CancelScheduledMessageConsumer>(context);
    }

    /// <summary>
    /// Declares the scheduler's receive endpoint with its consumers, and returns its address. No
    /// redelivery is configured here, and none should be: the scheduler cannot schedule its own retries.
    /// </summary>
    public static Uri ConfigureSagaWorkflowsSchedulerEndpoint(this IBusFactoryConfigurator configurator, IBusRegistrationContext context,
        string queueName = QueueNames.Scheduler)
    {
        ArgumentNullException.ThrowIfNull(configurator);

        Uri? inputAddress = null;
        configurator.ReceiveEndpoint(queueName, e =>
        {
            e.ConfigureSagaWorkflowsSchedulerConsumers(context);
            inputAddress = e.InputAddress;
        });

        return inputAddress ?? new Uri("queue:" + queueName);
    }
}
