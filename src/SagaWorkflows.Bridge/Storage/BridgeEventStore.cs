using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Bridge.Streaming;
using SagaWorkflows.Contracts;
using Diagnostics = SagaWorkflows.Hosting.Telemetry.SagaWorkflowsDiagnostics;

namespace SagaWorkflows.Bridge.Storage;

/// <summary>
/// The relayed events and what is derived from them. Appends are serialized in process: a run's
/// events are released strictly in sequence order, and bridge-wide positions are committed in the
/// order they are handed out, so neither a run stream nor <c>GET /events</c> can skip an event that
/// commits late. Reads run concurrently (SQLite in WAL mode).
/// </summary>
public sealed partial class BridgeEventStore(
    IDbContextFactory<BridgeDbContext> dbFactory,
    BridgeEventHub hub,
    TimeProvider time,
    ILogger<BridgeEventStore> logger) : IDisposable
{
    /// <summary>Releases the append lock (the container disposes the store with the host).</summary>
    public void Dispose() => _writeLock.Dispose();

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _initGate = new();
    private Task? _initialization;
    private long _lastPosition;

    /// <summary>Creates the database on first use; safe to call any number of times.</summary>
    public Task InitializeAsync()
    {
        lock (_initGate)
        {
            return _initialization ??= InitializeCoreAsync();
        }
    }

    /// <summary>
    /// Stores one received event (idempotent by RunId and Sequence), and releases it to streams
    /// together with every held event it makes contiguous.
    /// </summary>
    public async Task<AppendOutcome> AppendAsync(WorkflowLifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lifecycleEvent);
        if (lifecycleEvent.RunId == Guid.Empty || lifecycleEvent.Sequence < 1 || string.IsNullOrWhiteSpace(lifecycleEvent.Type))
        {
            LogIgnored(lifecycleEvent.RunId, lifecycleEvent.Sequence, lifecycleEvent.Type);
            return AppendOutcome.Ignored;
        }

        await InitializeAsync();
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var runId = lifecycleEvent.RunId;
            var sequence = lifecycleEvent.Sequence;

            var run = await db.Runs.FindAsync([runId], cancellationToken);
            if (run is not null && sequence <= run.DeliveredSequence
                || await db.Events.AnyAsync(e => e.RunId == runId && e.Sequence == sequence, cancellationToken))
            {
                return AppendOutcome.Duplicate;
            }

            if (run is null)
            {
                run = new RunRecord { RunId = runId, CreatedAt = time.GetUtcNow() };
                db.Runs.Add(run);
            }

            if (!string.IsNullOrEmpty(lifecycleEvent.WorkflowId))
            {
                run.WorkflowId = lifecycleEvent.WorkflowId;
            }

            var stored = new StoredEvent
            {
                RunId = runId,
                Sequence = sequence,
                Type = lifecycleEvent.Type,
                Json = JsonSerializer.Serialize(lifecycleEvent, BridgeJson.Options),
                Timestamp = lifecycleEvent.Timestamp.ToUniversalTime(),
                ReceivedAt = time.GetUtcNow(),
            };
            db.Events.Add(stored);

            var released = new List<StoredEvent>();
            if (sequence == run.DeliveredSequence + 1)
            {
                released.Add(stored);
                var held = await db.Events
                    .Where(e => e.RunId == runId && e.Position == null && e.Sequence > sequence)
                    .OrderBy(e => e.Sequence)
                    .ToListAsync(cancellationToken);
                foreach (var next in held)
                {
                    if (next.Sequence != released[^1].Sequence + 1)
                    {
                        break;
                    }

                    released.Add(next);
                }
            }

            var position = _lastPosition;
            foreach (var e in released)
            {
                e.Position = ++position;
                Apply(run, e);
            }

            await db.SaveChangesAsync(cancellationToken);
            _lastPosition = position;

            // Still under the write lock, so every stream is notified in position order.
            hub.Publish(released.Select(ToRelayed).ToList());
            return released.Count > 0 ? AppendOutcome.Released : AppendOutcome.Held;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Records a run started through the bridge, so it can be watched before its first event arrives.</summary>
    public async Task EnsureRunAsync(Guid runId, string? workflowId, CancellationToken cancellationToken)
    {
        await InitializeAsync();
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await db.Runs.AnyAsync(r => r.RunId == runId, cancellationToken))
            {
                return;
            }

            db.Runs.Add(new RunRecord { RunId = runId, WorkflowId = workflowId ?? "", CreatedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Records a start through the bridge under <paramref name="runId"/>, unless that runId is taken: by another
    /// start (a different <paramref name="fingerprint"/>) or by a run the bridge knows from its events.
    /// </summary>
    public async Task<StartRecordOutcome> RecordStartAsync(Guid runId, string fingerprint, string? workflowId, CancellationToken cancellationToken)
    {
        await InitializeAsync();
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var previous = await db.StartRequests.AsNoTracking().FirstOrDefaultAsync(s => s.RunId == runId, cancellationToken);
            if (previous is not null)
            {
                return previous.Fingerprint == fingerprint ? StartRecordOutcome.Repeated : StartRecordOutcome.DifferentStart;
            }

            if (await db.Runs.AnyAsync(r => r.RunId == runId, cancellationToken))
            {
                return StartRecordOutcome.StartedElsewhere;
            }

            db.StartRequests.Add(new StartRequestRecord { RunId = runId, Fingerprint = fingerprint });
            db.Runs.Add(new RunRecord { RunId = runId, WorkflowId = workflowId ?? "", CreatedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
            return StartRecordOutcome.New;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task AddRejectedSignalAsync(SignalRejected rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        await InitializeAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.RejectedSignals.Add(new RejectedSignalRecord
        {
            RunId = rejected.RunId,
            Signal = rejected.Signal,
            Reason = rejected.Reason,
            At = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The highest bridge-wide position released so far.</summary>
    public async Task<long> GetLastPositionAsync()
    {
        await InitializeAsync();
        return Volatile.Read(ref _lastPosition);
    }

    public async Task<RunRecord?> FindRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await InitializeAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.RunId == runId, cancellationToken);
    }

    /// <summary>
    /// Runs newest first, those <paramref name="filter"/> lets through, after skipping <paramref name="skip"/> of them.
    /// </summary>
    public async Task<IReadOnlyList<RunRecord>> ListRecentRunsAsync(RunFilter filter, int skip, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await InitializeAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        IQueryable<RunRecord> runs = db.Runs.AsNoTracking();
        if (filter.Status is { } status)
        {
            runs = runs.Where(r => r.Status == status);
        }

        if (filter.WorkflowId is { } workflowId)
        {
            runs = runs.Where(r => r.WorkflowId == workflowId);
        }

        if (filter.RunId is { } runIdPart)
        {
            // Guid.TryParse accepts a whole id in any of its forms; a part is matched against the stored text,
            // whatever its case.
            if (Guid.TryParse(runIdPart, out var whole))
            {
                runs = runs.Where(r => r.RunId == whole);
            }
            else
            {
                var part = runIdPart.ToLowerInvariant();
                // EF Core translates ToLower().Contains into SQL; the StringComparison overload CA1862 asks for has no translation.
#pragma warning disable CA1862
                runs = runs.Where(r => r.RunId.ToString().ToLower().Contains(part));
#pragma warning restore CA1862
            }
        }

        return await runs.OrderByDescending(r => r.CreatedAt).Skip(skip).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The definition snapshot a run keeps, as its <c>workflow-start</c> event carried it (JSON text); null before that
    /// event, or when it carried none.
    /// </summary>
    public async Task<string?> GetDefinitionAsync(Guid runId, CancellationToken cancellationToken)
    {
        await InitializeAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var json = await db.Events.AsNoTracking()
            .Where(e => e.RunId == runId && e.Type == LifecycleEventTypes.WorkflowStart)
            .OrderBy(e => e.Sequence)
            .Select(e => e.Json)
            .FirstOrDefaultAsync(cancellationToken);
        if (json is null)
        {
            return null;
        }

        var start = JsonSerializer.Deserialize<WorkflowLifecycleEvent>(json, BridgeJson.Options);
        return start?.Data is { ValueKind: JsonValueKind.Object } data
            && data.TryGetProperty("definition", out var definition) && definition.ValueKind == JsonValueKind.Object
            ? definition.GetRawText()
            : null;
    }

    /// <summary>A run's released events after <paramref name="afterSequence"/>, in sequence order.</summary>
    public async Task<IReadOnlyList<RelayedEvent>> ReadRunAsync(Guid runId, long afterSequence, int max,
        CancellationToken cancellationToken)
    {
        await InitializeAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Events.AsNoTracking()
            .Where(e => e.RunId == runId && e.Position != null && e.Sequence > afterSequence)
            .OrderBy(e => e.Sequence)
            .Take(max)
            .Select(e => new RelayedEvent(e.Position!.Value, e.RunId, e.Sequence, e.Type, e.Json))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Every run's released events after <paramref name="afterPosition"/>, in position order.</summary>
    public async Task<IReadOnlyList<RelayedEvent>> ReadAllAsync(long afterPosition, int max, CancellationToken cancellationToken)
    {
        await InitializeAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Events.AsNoTracking()
            .Where(e => e.Position != null && e.Position > afterPosition)
            .OrderBy(e => e.Position)
            .Take(max)
            .Select(e => new RelayedEvent(e.Position!.Value, e.RunId, e.Sequence, e.Type, e.Json))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Events of a run stored but not streamed yet, because an earlier sequence is missing.</summary>
    public async Task<int> CountHeldAsync(Guid runId, CancellationToken cancellationToken)
    {
        await InitializeAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Events.CountAsync(e => e.RunId == runId && e.Position == null, cancellationToken);
    }

    /// <summary>The run folded from its released events, or null for a run the bridge has never seen.</summary>
    public async Task<RunSnapshot?> GetSnapshotAsync(Guid runId, CancellationToken cancellationToken)
    {
        await InitializeAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.RunId == runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        var events = await db.Events.AsNoTracking()
            .Where(e => e.RunId == runId)
            .OrderBy(e => e.Sequence)
            .Select(e => e.Json)
            .ToListAsync(cancellationToken);
        var rejected = await db.RejectedSignals.AsNoTracking()
            .Where(r => r.RunId == runId)
            .OrderBy(r => r.Id)
            .Select(r => new RejectedSignalSnapshot(r.Signal, r.Reason, r.At))
            .ToListAsync(cancellationToken);

        // Held events too: the projection holds them behind the gap, as the store does, and counts them.
        var snapshot = RunProjection.Project(
            events.Select(json => JsonSerializer.Deserialize<WorkflowLifecycleEvent>(json, BridgeJson.Options)!), runId, run.WorkflowId);
        return snapshot with { CreatedAt = run.CreatedAt, RejectedSignals = rejected };
    }

    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> runs whose terminal event was released at or before <paramref name="endedBefore"/>:
    /// their events, summary and rejected signals (and rejected signals of runs never seen, as old). Taken under the write
    /// lock, one small transaction at a time, so a relayed event waits at most one batch. The run holding the bridge's
    /// highest position is kept, so positions keep increasing across restarts. A stream still reading a purged run ends.
    /// </summary>
    /// <returns>The runs deleted.</returns>
    public async Task<int> PurgeFinishedRunsAsync(DateTimeOffset endedBefore, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        await InitializeAsync();

        // Chosen outside the write lock (reads never wait for writers); what is chosen stays finished, so it is still right.
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var last = Volatile.Read(ref _lastPosition);
        var ids = await db.Runs.AsNoTracking()
            .Where(r => r.TerminalSequence != null && r.EndedAt <= endedBefore
                && !db.Events.Any(e => e.RunId == r.RunId && e.Position == last))
            .OrderBy(r => r.EndedAt)
            .Select(r => r.RunId)
            .Take(batchSize)
            .ToListAsync(cancellationToken);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var cutoff = endedBefore;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var events = ids.Count == 0 ? 0 : await db.Events.Where(e => ids.Contains(e.RunId)).ExecuteDeleteAsync(cancellationToken);
            var signals = await db.RejectedSignals
                .Where(r => ids.Contains(r.RunId) || (r.At <= cutoff && !db.Runs.Any(run => run.RunId == r.RunId)))
                .ExecuteDeleteAsync(cancellationToken);
            var runs = ids.Count == 0 ? 0 : await db.Runs.Where(r => ids.Contains(r.RunId)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            Purged(nameof(BridgeDbContext.Runs), runs);
            Purged(nameof(BridgeDbContext.Events), events);
            Purged(nameof(BridgeDbContext.RejectedSignals), signals);
            return runs;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static void Purged(string table, int rows)
    {
        if (rows > 0)
        {
            Diagnostics.RowsPurged.Add(rows,
                new KeyValuePair<string, object?>(Diagnostics.Tags.Store, "bridge"),
                new KeyValuePair<string, object?>(Diagnostics.Tags.Table, table));
        }
    }

    private static void Apply(RunRecord run, StoredEvent e)
    {
        run.Status = RunProjection.NextStatus(run.Status, e.Type);
        run.DeliveredSequence = e.Sequence;
        run.LastEventType = e.Type;
        run.LastEventAt = e.Timestamp;
        if (e.Type == LifecycleEventTypes.WorkflowStart)
        {
            run.StartedAt ??= e.Timestamp;
        }

        if (LifecycleEventTypes.IsTerminal(e.Type))
        {
            run.EndedAt = e.Timestamp;
            run.TerminalSequence ??= e.Sequence;
        }

        if (e.Type == LifecycleEventTypes.WorkflowRedriven)
        {
            // The failure it follows no longer ends the run: streams go on, and the run's next terminal event ends it.
            run.EndedAt = null;
            run.TerminalSequence = null;
        }
    }

    private static RelayedEvent ToRelayed(StoredEvent e) => new(e.Position!.Value, e.RunId, e.Sequence, e.Type, e.Json);

    private async Task InitializeCoreAsync()
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        // SQLite creates the file but not its folder.
        var dataSource = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (!string.IsNullOrEmpty(dataSource) && dataSource != ":memory:"
            && Path.GetDirectoryName(Path.GetFullPath(dataSource)) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        await db.Database.EnsureCreatedAsync();
        await db.Database.ExecuteSqlRawAsync(BridgeDbContext.CreateLaterTables);
        // WAL lets streams read history while the consumer writes.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        _lastPosition = await db.Events.MaxAsync(e => e.Position) ?? 0;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Ignored a lifecycle event without a usable run id, sequence or type (run {RunId}, sequence {Sequence}, type '{Type}')")]
    private partial void LogIgnored(Guid runId, long sequence, string type);
}
