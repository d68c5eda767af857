using Microsoft.EntityFrameworkCore;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Runs;

public sealed class WorkflowDbContext(DbContextOptions<WorkflowDbContext> options) : DbContext(options)
{
    public DbSet<WorkflowRun> Runs => Set<WorkflowRun>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WorkflowRun>(entity =>
        {
            entity.ToTable("WorkflowRuns");
            entity.MapDurableSaga();
            entity.Property(x => x.CurrentState).HasMaxLength(32);
            entity.Property(x => x.WorkflowId).HasMaxLength(256);
            entity.HasIndex(x => x.WakeAt);
        });
        modelBuilder.Entity<WorkflowRunPart>(entity =>
        {
            entity.ToTable("WorkflowRunParts");
            entity.AddedToExistingStores();
            entity.HasKey(x => new { x.RunId, x.Key });
            entity.Property(x => x.Key).HasMaxLength(1024);
        });
        modelBuilder.AddSagaOutbox();
    }
}
