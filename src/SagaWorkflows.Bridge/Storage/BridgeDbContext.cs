using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SagaWorkflows.Bridge.Storage;

public sealed class BridgeDbContext(DbContextOptions<BridgeDbContext> options) : DbContext(options)
{
    public DbSet<StoredEvent> Events => Set<StoredEvent>();
    public DbSet<RunRecord> Runs => Set<RunRecord>();
    public DbSet<RejectedSignalRecord> RejectedSignals => Set<RejectedSignalRecord>();
    public DbSet<StartRequestRecord> StartRequests => Set<StartRequestRecord>();

    /// <summary>Tables added after the first release: <c>EnsureCreated</c> does not add them to an existing database.</summary>
    internal const string CreateLaterTables = """
        CREATE TABLE IF NOT EXISTS "StartRequests" ("RunId" TEXT NOT NULL CONSTRAINT "PK_StartRequests" PRIMARY KEY, "Fingerprint" TEXT NOT NULL);
        """;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);

        // SQLite cannot compare or order DateTimeOffset text; all values are UTC, so the binary form sorts.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<StoredEvent>(e =>
        {
            e.ToTable("Events");
            e.HasKey(x => x.Id);
            // The idempotency key: a redelivered or duplicated event cannot be stored twice.
            e.HasIndex(x => new { x.RunId, x.Sequence }).IsUnique();
            e.HasIndex(x => x.Position).IsUnique();
            e.Property(x => x.Type).HasMaxLength(64);
        });

        modelBuilder.Entity<RunRecord>(e =>
        {
            e.ToTable("Runs");
            e.HasKey(x => x.RunId);
            e.HasIndex(x => x.CreatedAt);
            // By name, as the API writes it.
            e.Property(x => x.Status).HasConversion<string>();
        });

        modelBuilder.Entity<StartRequestRecord>(e =>
        {
            e.ToTable("StartRequests");
            e.HasKey(x => x.RunId);
        });

        modelBuilder.Entity<RejectedSignalRecord>(e =>
        {
            e.ToTable("RejectedSignals");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.RunId);
        });
    }
}
