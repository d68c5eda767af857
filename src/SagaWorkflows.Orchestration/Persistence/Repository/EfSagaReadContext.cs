using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>Read-only access for <see cref="ILoadSagaRepository{TSaga}"/> and <see cref="IQuerySagaRepository{TSaga}"/> (test harness, tooling).</summary>
public sealed class EfSagaReadContext<TSaga> :
    BasePipeContext,
    QuerySagaRepositoryContext<TSaga>,
    LoadSagaRepositoryContext<TSaga>
    where TSaga : class, IDurableSaga
{
    private readonly DbContext _dbContext;

    public EfSagaReadContext(DbContext dbContext, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _dbContext = dbContext;
    }

    public async Task<TSaga> Load(Guid correlationId)
    {
        var instance = await _dbContext.Set<TSaga>().AsNoTracking()
            .SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken).ConfigureAwait(false);

        return instance!;
    }

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);

        List<Guid> ids = await _dbContext.Set<TSaga>().AsNoTracking()
            .Where(query.FilterExpression)
            .Select(x => x.CorrelationId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}
