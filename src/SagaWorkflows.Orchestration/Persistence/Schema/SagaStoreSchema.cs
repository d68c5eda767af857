using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace SagaWorkflows.Orchestration.Persistence;

public static class SagaStoreSchema
{
    /// <summary>
    /// The store layout this release writes: 1 = runs, parts and outbox as first released; 2 = the outbox's
    /// <c>ExpiresAt</c> and <c>DueAt</c>, and the <c>SagaStoreVersion</c> table. A store of a later version is refused at startup.
    /// </summary>
    public const int CurrentVersion = 2;

    private const string VersionTable = "SagaStoreVersion";

    /// <summary>
    /// Creates this context's tables if they are missing, or adds what an earlier version of the store lacks, under the
    /// dialect's schema lock (so processes starting together do it once); records the store's version and refuses a
    /// newer one. SQLite: the file (and its folder) is created and switched to WAL. PostgreSQL: the database must exist.
    /// Unlike <c>EnsureCreated</c>, it still creates the tables when the database already holds other tables (the
    /// scheduler's, for instance). A failure to open the store becomes a <see cref="SagaStoreStartupException"/> whose
    /// message is one line naming what is wrong. Tables present only in part are reported, not patched.
    /// </summary>
    public static async Task EnsureSagaStoreCreatedAsync(this DbContext dbContext, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dbContext);

        var dialect = SagaStoreDialect.Of(dbContext);
        try
        {
            await dialect.PrepareAsync(dbContext, cancellationToken).ConfigureAwait(false);
            var locked = await dialect.LockSchemaAsync(dbContext, cancellationToken).ConfigureAwait(false);
            await using (locked.ConfigureAwait(false))
            {
                await CreateOrUpgradeAsync(dbContext, dialect, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is not (SagaStoreStartupException or OperationCanceledException)
            && dialect.DescribeFailure(exception, dbContext.Database.GetConnectionString() ?? "") is { } line)
        {
            throw new SagaStoreStartupException(line, exception);
        }
    }

    private static async Task CreateOrUpgradeAsync(DbContext dbContext, SagaStoreDialect dialect, CancellationToken cancellationToken)
    {
        var versionTable = dbContext.GetService<ISqlGenerationHelper>().DelimitIdentifier(VersionTable);
        // Identifiers and constants only: nothing here comes from outside.
        var create = $"CREATE TABLE IF NOT EXISTS {versionTable} (\"Version\" integer NOT NULL)";
        var read = $"SELECT MAX(\"Version\") AS \"Value\" FROM {versionTable}";
        var insert = $"INSERT INTO {versionTable} (\"Version\") VALUES ({CurrentVersion})";
        var update = $"UPDATE {versionTable} SET \"Version\" = {CurrentVersion}";
        await dbContext.Database.ExecuteSqlRawAsync(create, cancellationToken).ConfigureAwait(false);
        var stored = (await dbContext.Database.SqlQueryRaw<int?>(read).ToListAsync(cancellationToken).ConfigureAwait(false)).SingleOrDefault();
        if (stored > CurrentVersion)
        {
            throw new SagaStoreStartupException(
                $"the {dialect.Name} saga store has schema version {stored}, newer than this release understands ({CurrentVersion}): run the release that wrote it, or point ConnectionStrings:Workflows at another store");
        }

        await CreateTablesOrColumnsAsync(dbContext, dialect, cancellationToken).ConfigureAwait(false);

        if (stored is null)
        {
            await dbContext.Database.ExecuteSqlRawAsync(insert, cancellationToken).ConfigureAwait(false);
        }
        else if (stored < CurrentVersion)
        {
            await dbContext.Database.ExecuteSqlRawAsync(update, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task CreateTablesOrColumnsAsync(DbContext dbContext, SagaStoreDialect dialect, CancellationToken cancellationToken)
    {
        var creator = dbContext.GetService<IRelationalDatabaseCreator>();
        List<string> missing = await FindMissingTablesAsync(dbContext, dialect, cancellationToken).ConfigureAwait(false);
        if (missing.Count == 0)
        {
            await AddMissingColumnsAsync(dbContext, dialect, cancellationToken).ConfigureAwait(false);
            return;
        }

        var tableCount = TablesOf(dbContext).Count;
        if (missing.Count < tableCount)
        {
            // A store of an earlier version: tables added since then are created; anything else is not patched.
            var later = TablesOf(dbContext).Where(t => AddedLater(dbContext, t.Name)).Select(t => Delimit(dbContext, t)).ToHashSet(StringComparer.Ordinal);
            if (!missing.All(later.Contains))
            {
                throw PartialSchema(dbContext, missing);
            }

            await CreateTablesAsync(dbContext, missing, cancellationToken).ConfigureAwait(false);
            await AddMissingColumnsAsync(dbContext, dialect, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await creator.CreateTablesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException)
        {
            // Another process may have created them at the same moment; anything else is a real failure.
            if ((await FindMissingTablesAsync(dbContext, dialect, cancellationToken).ConfigureAwait(false)).Count > 0)
            {
                throw;
            }
        }
    }

    /// <summary><see cref="EnsureSagaStoreCreatedAsync(DbContext,CancellationToken)"/> with a context from the registered <see cref="IDbContextFactory{TContext}"/>.</summary>
    public static async Task EnsureSagaStoreCreatedAsync<TContext>(this IServiceProvider services, CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);

        var factory = services.GetRequiredService<IDbContextFactory<TContext>>();
        await using var dbContext = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);

        await dbContext.EnsureSagaStoreCreatedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks a table as added after the first release of the store: <see cref="EnsureSagaStoreCreatedAsync(DbContext,CancellationToken)"/>
    /// creates it in an existing store that lacks it (and refuses to patch any other missing table).
    /// </summary>
    public static EntityTypeBuilder<TEntity> AddedToExistingStores<TEntity>(this EntityTypeBuilder<TEntity> entity)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(entity);
        return entity.HasAnnotation(AddedLaterAnnotation, true);
    }

    /// <summary>
    /// Marks a (nullable) column as added after the first release of its table: <see cref="EnsureSagaStoreCreatedAsync(DbContext,CancellationToken)"/>
    /// adds it to an existing table that lacks it; the rows already there get null.
    /// </summary>
    public static PropertyBuilder<TProperty> AddedToExistingStores<TProperty>(this PropertyBuilder<TProperty> property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property.HasAnnotation(AddedLaterAnnotation, true);
    }

    private const string AddedLaterAnnotation = "SagaWorkflows:AddedToExistingStores";

    /// <summary>Adds the columns marked <c>AddedToExistingStores</c> (on a property) that an existing table lacks.</summary>
    private static async Task AddMissingColumnsAsync(DbContext dbContext, SagaStoreDialect dialect, CancellationToken cancellationToken)
    {
        var model = dbContext.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model;
        List<MigrationOperation> operations = [];
        foreach (var entityType in model.GetEntityTypes())
        {
            if (entityType.GetTableName() is not { } table)
            {
                continue;
            }

            var store = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entityType.GetSchema());
            foreach (var property in entityType.GetProperties().Where(p => p.FindAnnotation(AddedLaterAnnotation)?.Value is true))
            {
                var column = property.GetColumnName(store)!;
                if (await ColumnExistsAsync(dbContext, dialect, table, entityType.GetSchema(), column, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                operations.Add(new AddColumnOperation
                {
                    Table = table,
                    Schema = entityType.GetSchema(),
                    Name = column,
                    ClrType = (property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType),
                    ColumnType = property.GetColumnType(store),
                    IsNullable = true,
                    MaxLength = property.GetMaxLength(),
                });
            }
        }

        if (operations.Count == 0)
        {
            return;
        }

        var commands = dbContext.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        try
        {
            await dbContext.GetService<IMigrationCommandExecutor>()
                .ExecuteNonQueryAsync(commands, dbContext.GetService<IRelationalConnection>(), cancellationToken).ConfigureAwait(false);
        }
        catch (DbException)
        {
            // Another process may have added them at the same moment.
            foreach (var operation in operations.Cast<AddColumnOperation>())
            {
                if (!await ColumnExistsAsync(dbContext, dialect, operation.Table, operation.Schema, operation.Name, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }
    }

    private static bool AddedLater(DbContext dbContext, string table) =>
        dbContext.Model.GetEntityTypes().Any(e => e.GetTableName() == table && e.FindAnnotation(AddedLaterAnnotation)?.Value is true);

    private static string Delimit(DbContext dbContext, (string Name, string? Schema) table) =>
        dbContext.GetService<ISqlGenerationHelper>().DelimitIdentifier(table.Name, table.Schema);

    private static async Task<bool> ColumnExistsAsync(DbContext dbContext, SagaStoreDialect dialect, string table, string? schema, string column, CancellationToken cancellationToken)
    {
        List<int> counts = await dbContext.Database.SqlQuery<int>(dialect.ColumnExistsQuery(table, schema, column)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return counts.Count == 1 && counts[0] > 0;
    }

    /// <summary>Creates these tables (delimited names) and their indexes, as EF would in a new store.</summary>
    private static async Task CreateTablesAsync(DbContext dbContext, List<string> tables, CancellationToken cancellationToken)
    {
        var sql = dbContext.GetService<ISqlGenerationHelper>();
        var model = dbContext.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model;
        var operations = dbContext.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel())
            .Where(operation => operation switch
            {
                CreateTableOperation create => tables.Contains(sql.DelimitIdentifier(create.Name, create.Schema)),
                CreateIndexOperation index => tables.Contains(sql.DelimitIdentifier(index.Table, index.Schema)),
                _ => false,
            })
            .ToList();
        var commands = dbContext.GetService<IMigrationsSqlGenerator>().Generate(operations, model);
        await dbContext.GetService<IMigrationCommandExecutor>()
            .ExecuteNonQueryAsync(commands, dbContext.GetService<IRelationalConnection>(), cancellationToken).ConfigureAwait(false);
    }

    private static List<(string Name, string? Schema)> TablesOf(DbContext dbContext)
    {
        return dbContext.Model.GetEntityTypes()
            .Select(entityType => (Name: entityType.GetTableName(), Schema: entityType.GetSchema()))
            .Where(table => table.Name is not null)
            .Select(table => (table.Name!, table.Schema))
            .Distinct()
            .ToList();
    }

    private static async Task<List<string>> FindMissingTablesAsync(DbContext dbContext, SagaStoreDialect dialect, CancellationToken cancellationToken)
    {
        var sql = dbContext.GetService<ISqlGenerationHelper>();
        List<string> missing = [];

        foreach (var (name, schema) in TablesOf(dbContext))
        {
            if (!await TableExistsAsync(dbContext, dialect, name, schema, cancellationToken).ConfigureAwait(false))
            {
                missing.Add(sql.DelimitIdentifier(name, schema));
            }
        }

        return missing;
    }

    // Asks the catalog instead of selecting from the table, which would log a failed command for every missing table.
    private static async Task<bool> TableExistsAsync(DbContext dbContext, SagaStoreDialect dialect, string name, string? schema, CancellationToken cancellationToken)
    {
        List<int> counts = await dbContext.Database.SqlQuery<int>(dialect.TableExistsQuery(name, schema)).ToListAsync(cancellationToken).ConfigureAwait(false);

        return counts.Count == 1 && counts[0] > 0;
    }

    private static InvalidOperationException PartialSchema(DbContext dbContext, List<string> missing)
    {
        return new InvalidOperationException(
            $"The saga store of {dbContext.GetType().Name} is incomplete: {string.Join(", ", missing)} missing while the other tables exist. " +
            "Create the missing tables (or use EF Core migrations); EnsureSagaStoreCreatedAsync only creates a store from scratch.");
    }
}
