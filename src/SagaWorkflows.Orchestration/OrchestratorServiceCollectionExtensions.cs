using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Quartz;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting;
using SagaWorkflows.Orchestration.Definitions;
using SagaWorkflows.Orchestration.Monitoring;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.Orchestration.Retention;
using SagaWorkflows.Orchestration.Runs;
using SagaWorkflows.Orchestration.Scheduling;

namespace SagaWorkflows.Orchestration;

public static class OrchestratorServiceCollectionExtensions
{
    /// <summary>
    /// Reads <c>ConnectionStrings:Workflows</c> (a SQLite connection string, default
    /// <c>Data Source=sagaworkflows.db</c>, or a PostgreSQL one: <c>Host=…;Database=…;Username=…;Password=…</c>) and
    /// <c>SagaWorkflows:Orchestrator</c>; throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>
    /// naming every invalid setting.
    /// </summary>
    public static OrchestratorOptions ReadOrchestratorOptions(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new OrchestratorOptions();
        configuration.GetSection(OrchestratorOptions.SectionName).Bind(options);
        configuration.GetSection(Core.Definitions.WorkflowLimits.SectionName).Bind(options.Limits);
        options.ConnectionString = configuration.GetConnectionString("Workflows") ?? options.ConnectionString;
        OptionsValidation.ThrowIfInvalid(options, OrchestratorOptions.SectionName);
        return options;
    }

    /// <summary>
    /// The orchestrator: the workflow-run saga on queue <c>sagawf-runs</c> stored in SQLite with
    /// a transactional outbox, the definition registry, the run supervisor (durable timers) and, on
    /// RabbitMQ, the durable Quartz scheduler endpoint. Call before <c>AddSagaWorkflowsBus</c>.
    /// </summary>
    public static IServiceCollection AddSagaWorkflowsOrchestrator(this IServiceCollection services, OrchestratorOptions options,
        SagaWorkflowsBusOptions bus, Action<WorkflowDefinitionRegistry>? definitions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(bus);
        OptionsValidation.ThrowIfInvalid(options, OrchestratorOptions.SectionName);
        if (options.Limits.Check() is { Count: > 0 } badLimits)
        {
            throw new InvalidOperationException(string.Join("; ", badLimits));
        }

        UseRunIdCorrelation();
        var dialect = SagaStoreDialect.ForConnectionString(options.ConnectionString);
        if (bus.Transport == SagaWorkflowsTransport.RabbitMq)
        {
            var schedulerStore = options.SchedulerConnectionString ?? SchedulerStoreFor(options.ConnectionString, dialect);
            if (SagaStoreDialect.ForConnectionString(schedulerStore) == SagaStoreDialect.PostgreSql)
            {
                // Several orchestrators share the PostgreSQL database: any of them fires a due message, and a dead one's
                // triggers are taken over.
                services.AddSagaWorkflowsScheduler(store =>
                {
                    store.UsePostgres(schedulerStore);
                    store.ConfigureStore(o => o.MisfireThreshold = options.ScheduleMisfireThreshold);
                }, clustered: true);
            }
            else
            {
                services.AddSagaWorkflowsScheduler(store =>
                {
                    store.UseSqlite(schedulerStore);
                    store.ConfigureStore(o => o.MisfireThreshold = options.ScheduleMisfireThreshold);
                }, clustered: false);
            }
        }
        else
        {
            // The in-memory transport schedules messages itself; Quartz keeps only the schedules, in memory, as long as the process.
            services.AddSagaWorkflowsInMemoryScheduler(o => o.MisfireThreshold = options.ScheduleMisfireThreshold);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<DefinitionCache>();
        services.AddSingleton(sp =>
        {
            var registry = new WorkflowDefinitionRegistry(sp.GetRequiredService<ILogger<WorkflowDefinitionRegistry>>(), options.Limits);
            if (options.DefinitionsPath is { Length: > 0 } path)
            {
                registry.LoadDirectory(path);
            }

            definitions?.Invoke(registry);
            return registry;
        });
        services.AddSingleton<IWorkflowDefinitionRegistry>(sp => sp.GetRequiredService<WorkflowDefinitionRegistry>());
        services.AddSingleton<WorkflowRunner>();
        services.AddSingleton<Schedules.WorkflowSchedules>();

        services.AddSagaStore<WorkflowDbContext>(options.ConnectionString);
        services.AddSagaOutboxRelay<WorkflowDbContext>();
        services.AddHostedService<RunSupervisor>();
        services.AddRunRetention();
        services.AddOrchestratorMonitoring(bus);
        if (bus.Transport == SagaWorkflowsTransport.RabbitMq && options.BridgeQueue is { Length: > 0 })
        {
            services.AddHostedService<BridgeQueueProvisioner>();
        }

        services.AddBusContributor(new OrchestratorBusContributor(options));
        return services;
    }

    /// <summary>
    /// SQLite: the scheduler's Quartz tables live in a file of their own beside the workflow store. PostgreSQL: in the
    /// workflow store's database, where every orchestrator finds them.
    /// </summary>
    private static string SchedulerStoreFor(string workflowStore, SagaStoreDialect dialect)
    {
        if (dialect == SagaStoreDialect.PostgreSql)
        {
            return workflowStore;
        }

        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(workflowStore);
        var file = builder.DataSource;
        builder.DataSource = Path.Combine(Path.GetDirectoryName(file) ?? "", Path.GetFileNameWithoutExtension(file) + "-scheduler" + Path.GetExtension(file));
        return builder.ConnectionString;
    }

    /// <summary>
    /// One run's messages are handled one at a time inside this process (keyed on the RunId in the
    /// body, so it works whoever sent them); across processes the saga's version check serialises them.
    /// </summary>
    private static void PartitionByRun(IReceiveEndpointConfigurator endpoint, int partitionCount)
    {
        if (partitionCount <= 0)
        {
            return;
        }

        var partitioner = endpoint.CreatePartitioner(partitionCount);
        endpoint.UsePartitioner<StartWorkflow>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<SignalWorkflow>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<SuspendWorkflow>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<ResumeWorkflow>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<CancelWorkflow>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<StepCompleted>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<StepFaulted>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<StepRetrying>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<StepExpired>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<WakeWorkflowRun>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<ChildRunFinished>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<ChildRunStarted>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<FailWorkflowRun>(partitioner, c => c.Message.RunId);
        endpoint.UsePartitioner<MassTransit.Courier.Contracts.RoutingSlipCompleted>(partitioner, c => c.Message.TrackingNumber);
        endpoint.UsePartitioner<MassTransit.Courier.Contracts.RoutingSlipFaulted>(partitioner, c => c.Message.TrackingNumber);
        endpoint.UsePartitioner<MassTransit.Courier.Contracts.RoutingSlipActivityCompleted>(partitioner, c => c.Message.TrackingNumber);
    }

    /// <summary>
    /// Outermost on the runs endpoint: a message failing for any reason but the store is tried
    /// <paramref name="attempts"/> times, then moved to the error queue and its run failed (<see cref="PoisonMessageFilter"/>).
    /// Store failures keep the durable endpoint's own retry, inside this one.
    /// </summary>
    private static void UsePoisonMessageHandling(IRegistrationContext context, IReceiveEndpointConfigurator endpoint, int attempts)
    {
        var logger = context.GetRequiredService<ILoggerFactory>().CreateLogger<PoisonMessageFilter>();
        endpoint.UseFilter(new PoisonMessageFilter(Math.Max(1, attempts), logger));
        if (attempts > 1)
        {
            endpoint.UseMessageRetry(r =>
            {
                r.Ignore<Exception>(StoreFailures.IsStoreFailure);
                r.Immediate(attempts - 1);
            });
        }
    }

    /// <summary>Every message of a run carries its RunId as CorrelationId, for tracing.</summary>
    private static void UseRunIdCorrelation()
    {
        MessageCorrelation.UseCorrelationId<StartWorkflow>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<SignalWorkflow>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<SuspendWorkflow>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<ResumeWorkflow>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<CancelWorkflow>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<StepCompleted>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<StepFaulted>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<StepRetrying>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<StepExpired>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<WakeWorkflowRun>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<ChildRunFinished>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<ChildRunStarted>(m => m.RunId);
        MessageCorrelation.UseCorrelationId<FailWorkflowRun>(m => m.RunId);
    }

    private sealed class OrchestratorBusContributor(OrchestratorOptions options) : ISagaWorkflowsBusContributor
    {
        public void ConfigureRegistrations(IBusRegistrationConfigurator configurator, SagaWorkflowsBusOptions busOptions)
        {
            configurator.AddSagaStateMachine<WorkflowRunStateMachine, WorkflowRun>()
                .UseEfSagaRepository<WorkflowRun, WorkflowDbContext>(options.CachedRuns)
                .Endpoint(e =>
                {
                    e.Name = QueueNames.WorkflowRuns;
                    e.ConcurrentMessageLimit = options.ConcurrentMessageLimit;
                });
            configurator.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                if (name == QueueNames.WorkflowRuns)
                {
                    UsePoisonMessageHandling(context, endpoint, options.PoisonMessageAttempts);
                    PartitionByRun(endpoint, options.PartitionCount);
                    endpoint.ConfigureDurableSagaEndpoint();
                }
            });

            configurator.AddConsumer<PurgeFinishedRunsConsumer, PurgeFinishedRunsConsumerDefinition>();
            configurator.AddConsumer<Schedules.ScheduleRequestsConsumer, Schedules.ScheduleRequestsConsumerDefinition>();
            if (busOptions.Transport == SagaWorkflowsTransport.RabbitMq)
            {
                configurator.AddSagaWorkflowsSchedulerConsumers();
            }
            else
            {
                configurator.AddBusObserver<SchedulerBusObserver>();
            }
        }

        public void ConfigureBus(IBusRegistrationContext context, IBusFactoryConfigurator configurator, SagaWorkflowsBusOptions busOptions)
        {
        }
    }
}
