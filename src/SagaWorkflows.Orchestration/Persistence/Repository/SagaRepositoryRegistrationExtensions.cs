using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace SagaWorkflows.Orchestration.Persistence;

public static class SagaRepositoryRegistrationExtensions
{
    public const int DefaultCachedInstances = 1024;

    /// <summary>
    /// Stores <typeparamref name="TSaga"/> with <see cref="EfSagaRepositoryContextFactory{TSaga,TContext}"/>:
    /// <code>
    /// services.AddDbContextFactory&lt;WorkflowDbContext&gt;(o =&gt; o.UseSqliteSagaStore(connectionString));
    /// services.AddSagaStoreInitializer&lt;WorkflowDbContext&gt;();
    /// services.AddSagaOutboxRelay&lt;WorkflowDbContext&gt;();
    /// services.AddMassTransit(x =&gt;
    /// {
    ///     x.AddSagaStateMachine&lt;WorkflowRunStateMachine, WorkflowRunState&gt;()
    ///         .UseEfSagaRepository&lt;WorkflowRunState, WorkflowDbContext&gt;()
    ///         .Endpoint(e =&gt; e.Name = "sagawf-runs");
    ///     x.AddConfigureEndpointsCallback((context, name, e) =&gt;
    ///     {
    ///         if (name == "sagawf-runs")
    ///             e.ConfigureDurableSagaEndpoint(partitionCount: 16);
    ///     });
    /// });
    /// </code>
    /// The saga's endpoint needs:
    /// <list type="bullet">
    /// <item><c>UseMessageRetry</c> for <c>DbUpdateException</c> (concurrency conflicts, racing inserts) and
    /// <c>DbException</c> (lock timeouts), e.g. <c>r.Immediate(5)</c> or short jittered intervals: each attempt reloads
    /// the saga in a new DbContext. Without it a conflict faults the message.</item>
    /// <item>optionally a partitioner keyed by the correlation id (<c>UseMessagePartitioner</c>, which needs a
    /// CorrelationId convention for every message type on the endpoint): it serializes one saga's messages inside a
    /// process so they rarely conflict; across processes the Version check still does.</item>
    /// <item>no <c>UseInMemoryOutbox</c>: the repository's outbox replaces it, and with it the post-commit delivery would
    /// only reach the in-memory buffer before the rows are deleted.</item>
    /// </list>
    /// <see cref="DurableSagaEndpointExtensions.ConfigureDurableSagaEndpoint"/> sets these up. Do not enable the EF
    /// provider's retrying execution strategy (e.g. <c>EnableRetryOnFailure</c>): the repository opens its own
    /// transaction, and retries belong to the endpoint.
    /// </summary>
    /// <param name="cachedInstances">How many recently committed instances this process keeps to skip reading them
    /// back (see <see cref="SagaInstanceCache{TSaga}"/>); 0 reads every instance from the store.</param>
    public static ISagaRegistrationConfigurator<TSaga> UseEfSagaRepository<TSaga, TContext>(this ISagaRegistrationConfigurator<TSaga> configurator,
        int cachedInstances = DefaultCachedInstances)
        where TSaga : class, IDurableSaga
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);

        configurator.Repository(services =>
        {
            services.TryAddSingleton<SagaStore<TContext>>();
            services.TryAddSingleton<SagaStoreWriter<TContext>>();
            services.TryAddSingleton<SagaOutboxDelivery>();
            services.TryAddSingleton(new SagaInstanceCache<TSaga>(cachedInstances));
            services.RegisterLoadSagaRepository<TSaga, EfSagaRepositoryContextFactory<TSaga, TContext>>();
            services.RegisterQuerySagaRepository<TSaga, EfSagaRepositoryContextFactory<TSaga, TContext>>();
            services.RegisterSagaRepository<TSaga, SagaStoreScope, SagaConsumeContextFactory<SagaStoreScope, TSaga>, EfSagaRepositoryContextFactory<TSaga, TContext>>();
        });

        return configurator;
    }

    /// <summary>
    /// Adds <see cref="OutboxRelay{TContext}"/> (hosted, and resolvable as itself) with <see cref="SagaOutboxOptions"/>.
    /// Needs an <see cref="IDbContextFactory{TContext}"/> and a MassTransit bus.
    /// </summary>
    public static IServiceCollection AddSagaOutboxRelay<TContext>(this IServiceCollection services, Action<SagaOutboxOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<SagaOutboxOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.RelayInterval > TimeSpan.Zero, "RelayInterval must be positive.")
            .Validate(o => o.RelayAge >= TimeSpan.Zero, "RelayAge must not be negative.")
            .Validate(o => o.RelayBatchSize > 0, "RelayBatchSize must be positive.");

        services.TryAddSingleton<SagaStore<TContext>>();
        services.TryAddSingleton<OutboxRelay<TContext>>();
        services.AddHostedService(provider => provider.GetRequiredService<OutboxRelay<TContext>>());

        return services;
    }

    /// <summary>
    /// The saga store of <typeparamref name="TContext"/> on <paramref name="connectionString"/>, its dialect chosen by
    /// the connection string (<see cref="SagaStoreDialect.ForConnectionString"/>): a pooled DbContext factory, the
    /// <see cref="SagaStore{TContext}"/> and the initializer that creates or upgrades the schema at startup.
    /// </summary>
    public static IServiceCollection AddSagaStore<TContext>(this IServiceCollection services, string connectionString)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        var dialect = SagaStoreDialect.ForConnectionString(connectionString);

        // Pooled: a DbContext per message is the hot path, and pooling skips most of its construction.
        services.AddPooledDbContextFactory<TContext>(o => dialect.Configure(o, connectionString));
        services.TryAddSingleton<SagaStore<TContext>>();
        return services.AddSagaStoreInitializer<TContext>();
    }

    /// <summary>Adds <see cref="SagaStoreInitializer{TContext}"/>, which creates the store's schema at startup.</summary>
    public static IServiceCollection AddSagaStoreInitializer<TContext>(this IServiceCollection services)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SagaStoreInitializer<TContext>>());

        return services;
    }
}
