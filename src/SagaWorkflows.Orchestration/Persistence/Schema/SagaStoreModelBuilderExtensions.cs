using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// Model configuration for a saga store DbContext:
/// <code>
/// protected override void OnModelCreating(ModelBuilder modelBuilder)
/// {
///     modelBuilder.Entity&lt;WorkflowRunState&gt;(e =&gt;
///     {
///         e.MapDurableSaga();
///         e.Property(x =&gt; x.CurrentState).HasMaxLength(64);
///     });
///     modelBuilder.AddSagaOutbox();
/// }
/// </code>
/// </summary>
public static class SagaStoreModelBuilderExtensions
{
    /// <summary>Maps <see cref="OutboxMessage"/> to table <c>OutboxMessages</c>, indexed on CreatedAt for the relay.</summary>
    public static ModelBuilder AddSagaOutbox(this ModelBuilder modelBuilder, string tableName = "OutboxMessages")
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<OutboxMessage>(entity =>
        {
            entity.ToTable(tableName);
            entity.HasKey(x => x.Id);
            entity.Property(x => x.Id).ValueGeneratedNever();
            entity.Property(x => x.Destination).HasMaxLength(1024);
            entity.Property(x => x.MessageType).HasMaxLength(1024).IsRequired();
            entity.Property(x => x.Body).IsRequired();
            entity.Property(x => x.ExpiresAt).AddedToExistingStores();
            entity.Property(x => x.DueAt).AddedToExistingStores();
            entity.HasIndex(x => x.CreatedAt);
        });

        return modelBuilder;
    }

    /// <summary>
    /// Key = CorrelationId (never generated), <see cref="IDurableSaga.Version"/> as the concurrency token,
    /// <see cref="IDurableSaga.PendingMessages"/> not mapped. Map the state column and your own properties as usual.
    /// </summary>
    public static EntityTypeBuilder<TSaga> MapDurableSaga<TSaga>(this EntityTypeBuilder<TSaga> entity)
        where TSaga : class, IDurableSaga
    {
        ArgumentNullException.ThrowIfNull(entity);

        // By name: the members are declared on interfaces, which member-access lambdas over TSaga hide.
        entity.HasKey(nameof(IDurableSaga.CorrelationId));
        entity.Property(nameof(IDurableSaga.CorrelationId)).ValueGeneratedNever();
        entity.Property(nameof(IDurableSaga.Version)).IsConcurrencyToken();
        entity.Ignore(nameof(IDurableSaga.PendingMessages));

        return entity;
    }
}
