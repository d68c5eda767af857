using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// The INSERT / versioned UPDATE / versioned DELETE of one mapped entity type, generated once from the EF model
/// (table and column names, each property's provider type mapping and value converter), executed as plain
/// prepared ADO.NET commands. This is the store's hot path: no change tracking, no per-call SQL generation,
/// values bound exactly as EF itself would bind them.
/// </summary>
internal sealed class SagaRowStatements
{
    private readonly Column[] _columns;
    private readonly Column[] _keys;
    private readonly Column? _version;
    private readonly string _insert;
    private readonly string _update;
    private readonly string _delete;
    private readonly string _insertIfAbsent;
    private readonly string _upsert;
    private readonly string _tableName;
    private readonly ConcurrentDictionary<ulong, string> _partialUpdates = new();

    internal SagaRowStatements(IEntityType entityType, ISqlGenerationHelper sql)
    {
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var tableName = _tableName = sql.DelimitIdentifier(table.Name, table.Schema);
        var key = entityType.FindPrimaryKey()?.Properties
            ?? throw new InvalidOperationException($"{entityType.DisplayName()} needs a primary key to be stored by the saga repository.");

        _columns = entityType.GetProperties()
            .Select((property, index) => new Column(property, sql.DelimitIdentifier(property.GetColumnName(table)!), sql.GenerateParameterName("p" + index)))
            .ToArray();
        _keys = _columns.Where(c => key.Contains(c.Property)).ToArray();
        var whereKey = string.Join(" AND ", _keys.Select(k => $"{k.Name} = {k.Parameter}"));
        _version = _columns.SingleOrDefault(c => c.Property.IsConcurrencyToken);
        const string Expected = "expected";
        ExpectedVersionParameter = sql.GenerateParameterName(Expected);

        _insert = $"INSERT INTO {tableName} ({string.Join(", ", _columns.Select(c => c.Name))}) VALUES ({string.Join(", ", _columns.Select(c => c.Parameter))})";

        var update = new StringBuilder($"UPDATE {tableName} SET ");
        update.AppendJoin(", ", _columns.Where(c => !IsKey(c)).Select(c => $"{c.Name} = {c.Parameter}"));
        update.Append($" WHERE {whereKey}");
        var delete = new StringBuilder($"DELETE FROM {tableName} WHERE {whereKey}");
        if (_version is not null)
        {
            update.Append($" AND {_version.Name} = {ExpectedVersionParameter}");
            delete.Append($" AND {_version.Name} = {ExpectedVersionParameter}");
        }

        _update = update.ToString();
        _whereVersioned = _update[_update.LastIndexOf(" WHERE ", StringComparison.Ordinal)..];
        _delete = delete.ToString();
        // Both dialects: a duplicate inserts nothing instead of failing (on PostgreSQL a failed statement would abort
        // the whole group commit's transaction).
        _insertIfAbsent = _insert + " ON CONFLICT DO NOTHING";

        // One statement where a batch cannot look at an UPDATE's row count before deciding to INSERT.
        var nonKeys = _columns.Where(c => !IsKey(c)).ToArray();
        _upsert = _insert + $" ON CONFLICT ({string.Join(", ", _keys.Select(k => k.Name))}) DO "
            + (nonKeys.Length == 0 ? "NOTHING" : "UPDATE SET " + string.Join(", ", nonKeys.Select(c => $"{c.Name} = EXCLUDED.{c.Name}")));
    }

    private readonly string _whereVersioned;

    private string ExpectedVersionParameter { get; }

    /// <summary>The row's column values as they are now; pass it to <see cref="UpdateAsync"/> to write only what changed since.</summary>
    public object?[] Snapshot(object entity)
    {
        var values = new object?[_columns.Length];
        for (var i = 0; i < _columns.Length; i++)
        {
            values[i] = _columns[i].Snapshot(entity);
        }

        return values;
    }

    /// <summary>
    /// Inserts the row; false when a row with its key exists already (with <paramref name="checkExisting"/>; without
    /// it a duplicate key fails the statement).
    /// </summary>
    public async Task<bool> InsertAsync(DbConnection connection, DbTransaction transaction, object entity, bool checkExisting)
    {
        await using var insert = Command(connection, transaction, checkExisting ? _insertIfAbsent : _insert);
        foreach (var column in _columns)
        {
            column.Bind(insert, entity);
        }

        return await insert.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Writes the columns that differ from <paramref name="stored"/> (every column without it) and the version;
    /// false when the stored version is no longer <paramref name="expectedVersion"/>. Unchanged columns — a run's
    /// definition, for instance — are not rewritten with every transition.
    /// </summary>
    public async Task<bool> UpdateAsync(DbConnection connection, DbTransaction transaction, object entity, int expectedVersion, object?[]? stored = null)
    {
        var changed = ChangedColumns(entity, stored);
        await using var update = Command(connection, transaction, UpdateText(changed));
        for (var i = 0; i < _columns.Length; i++)
        {
            if (IsKey(_columns[i]) || (changed & (1UL << i)) != 0)
            {
                _columns[i].Bind(update, entity);
            }
        }

        BindExpected(update, expectedVersion);
        return await update.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
    }

    /// <summary>The UPDATE <see cref="UpdateAsync"/> runs for this entity and snapshot.</summary>
    internal string UpdateText(object entity, object?[]? stored) => UpdateText(ChangedColumns(entity, stored));

    private string UpdateText(ulong changed) => changed == ulong.MaxValue ? _update : PartialUpdate(changed);

    /// <summary>A bit per column to write; all of them without a snapshot (or with more than 64 columns).</summary>
    private ulong ChangedColumns(object entity, object?[]? stored)
    {
        if (stored is null || _columns.Length > 64)
        {
            return ulong.MaxValue;
        }

        var changed = 0UL;
        var any = false;
        for (var i = 0; i < _columns.Length; i++)
        {
            if (!IsKey(_columns[i]) && (_columns[i] == _version || !_columns[i].Unchanged(entity, stored[i])))
            {
                changed |= 1UL << i;
                any = true;
            }
        }

        // Nothing to SET: write the row as it is, which still checks the version.
        return any ? changed : ulong.MaxValue;
    }

    private string PartialUpdate(ulong changed)
    {
        return _partialUpdates.GetOrAdd(changed, mask =>
        {
            var set = _columns.Where((c, i) => !IsKey(c) && (mask & (1UL << i)) != 0).Select(c => $"{c.Name} = {c.Parameter}");
            return $"UPDATE {_tableName} SET {string.Join(", ", set)}{_whereVersioned}";
        });
    }

    /// <summary>Deletes the row; false when the stored version is no longer <paramref name="expectedVersion"/>.</summary>
    public async Task<bool> DeleteAsync(DbConnection connection, DbTransaction transaction, object entity, int expectedVersion)
    {
        await using var delete = Command(connection, transaction, _delete);
        BindKeys(delete, entity);
        BindExpected(delete, expectedVersion);
        return await delete.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
    }

    /// <summary>Writes the row whether or not it exists (for rows without a version: a saga's dependent rows).</summary>
    public async Task UpsertAsync(DbConnection connection, DbTransaction transaction, object entity)
    {
        await using (var update = Command(connection, transaction, _update))
        {
            foreach (var column in _columns)
            {
                column.Bind(update, entity);
            }

            if (await update.ExecuteNonQueryAsync().ConfigureAwait(false) == 1)
            {
                return;
            }
        }

        await InsertAsync(connection, transaction, entity, checkExisting: false).ConfigureAwait(false);
    }

    /// <summary><see cref="InsertAsync"/> as a statement of <paramref name="batch"/>: check that it inserted a row (with <paramref name="checkExisting"/>).</summary>
    public DbBatchCommand AddInsert(SagaStoreBatch batch, object entity, bool checkExisting)
    {
        var insert = batch.Add(checkExisting ? _insertIfAbsent : _insert);
        foreach (var column in _columns)
        {
            column.Bind(batch.ParameterFactory, insert.Parameters, entity);
        }

        return insert;
    }

    /// <summary><see cref="UpdateAsync"/> as a statement of <paramref name="batch"/>: check that it updated a row.</summary>
    public DbBatchCommand AddUpdate(SagaStoreBatch batch, object entity, int expectedVersion, object?[]? stored = null)
    {
        var changed = ChangedColumns(entity, stored);
        var update = batch.Add(UpdateText(changed));
        for (var i = 0; i < _columns.Length; i++)
        {
            if (IsKey(_columns[i]) || (changed & (1UL << i)) != 0)
            {
                _columns[i].Bind(batch.ParameterFactory, update.Parameters, entity);
            }
        }

        BindExpected(batch.ParameterFactory, update.Parameters, expectedVersion);
        return update;
    }

    /// <summary><see cref="DeleteAsync"/> as a statement of <paramref name="batch"/>: check that it deleted a row.</summary>
    public DbBatchCommand AddDelete(SagaStoreBatch batch, object entity, int expectedVersion)
    {
        var delete = batch.Add(_delete);
        foreach (var key in _keys)
        {
            key.Bind(batch.ParameterFactory, delete.Parameters, entity);
        }

        BindExpected(batch.ParameterFactory, delete.Parameters, expectedVersion);
        return delete;
    }

    /// <summary><see cref="UpsertAsync"/> as one statement of <paramref name="batch"/> (INSERT … ON CONFLICT (key) DO UPDATE).</summary>
    public void AddUpsert(SagaStoreBatch batch, object entity)
    {
        var upsert = batch.Add(_upsert);
        foreach (var column in _columns)
        {
            column.Bind(batch.ParameterFactory, upsert.Parameters, entity);
        }
    }

    /// <summary>
    /// Adds the DELETE of every row whose (single-column) key is in <paramref name="keys"/> to <paramref name="batch"/>,
    /// as one statement with one array parameter (<see cref="SagaStoreDialect.KeyInArray"/>).
    /// </summary>
    public void AddDeleteAll(SagaStoreBatch batch, SagaStoreDialect dialect, Array keys)
    {
        var key = _keys.Length == 1 ? _keys[0] : throw new InvalidOperationException($"{_tableName} has a composite key; delete its rows one by one.");
        var delete = batch.Add($"DELETE FROM {_tableName} WHERE {dialect.KeyInArray(key.Name, key.Parameter)}");
        var parameter = batch.ParameterFactory.CreateParameter();
        parameter.ParameterName = key.Parameter;
        parameter.Value = keys;
        delete.Parameters.Add(parameter);
    }

    private bool IsKey(Column column) => Array.IndexOf(_keys, column) >= 0;

    private void BindKeys(DbCommand command, object entity)
    {
        foreach (var key in _keys)
        {
            key.Bind(command, entity);
        }
    }

    private void BindExpected(DbCommand command, int expectedVersion) => BindExpected(command, command.Parameters, expectedVersion);

    private void BindExpected(DbCommand factory, DbParameterCollection parameters, int expectedVersion)
    {
        if (_version is not null)
        {
            parameters.Add(_version.Mapping.CreateParameter(factory, ExpectedVersionParameter, expectedVersion, nullable: false));
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string text)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        return command;
    }

    private sealed class Column(IProperty property, string name, string parameter)
    {
        private readonly IClrPropertyGetter _getter = property.GetGetter();
        private readonly Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer _comparer = property.GetValueComparer();

        public IProperty Property { get; } = property;
        public string Name { get; } = name;
        public string Parameter { get; } = parameter;
        public RelationalTypeMapping Mapping { get; } = property.GetRelationalTypeMapping();

        public object? Get(object entity) => _getter.GetClrValue(entity);

        /// <summary>A copy EF's value comparer considers safe to compare later (mutable values are copied).</summary>
        public object? Snapshot(object entity) => _comparer.Snapshot(Get(entity));

        public bool Unchanged(object entity, object? snapshot) => _comparer.Equals(Get(entity), snapshot);

        public void Bind(DbCommand command, object entity) => Bind(command, command.Parameters, entity);

        public void Bind(DbCommand factory, DbParameterCollection parameters, object entity)
        {
            parameters.Add(Mapping.CreateParameter(factory, Parameter, Get(entity), Property.IsNullable));
        }
    }
}
