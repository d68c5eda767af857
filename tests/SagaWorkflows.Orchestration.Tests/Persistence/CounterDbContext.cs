using Microsoft.EntityFrameworkCore;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

public sealed class CounterDbContext(DbContextOptions<CounterDbContext> options) : DbContext(options)
{
    public DbSet<CounterSaga> Counters => Set<CounterSaga>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CounterSaga>(entity =>
        {
            entity.MapDurableSaga();
            entity.Property(x => x.CurrentState).HasMaxLength(64);
        });
        modelBuilder.AddSagaOutbox();
    }
}
