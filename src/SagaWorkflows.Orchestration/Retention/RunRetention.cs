using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.Orchestration.Runs;
using static SagaWorkflows.Hosting.Telemetry.SagaWorkflowsDiagnostics;

namespace SagaWorkflows.Orchestration.Retention;

/// <summary>
/// Deletes finished runs from the workflow store: the run row, its state parts and any outbox leftovers, in small
/// transactions so the saga's own commits never wait long behind one. Written with EF Core set operations on the store's
/// model, so it runs on every database the store supports.
/// </summary>
/// <remarks>
/// A run is purged when it finished (Completed, Failed, Cancelled, Compensated, CompensationFailed) at least the given
/// time ago and has no outbox message younger than <see cref="OrchestratorOptions.Retention"/> (a message not delivered yet
/// keeps its run, so an immediate purge never drops a run's last events). A late message for a purged run is discarded as
/// for any unknown run; a <c>StartWorkflow</c> repeating a purged run's id starts a new run: retention bounds how long
/// duplicate starts are recognised.
/// </remarks>
public sealed partial class RunRetention(IDbContextFactory<WorkflowDbContext> contexts, OrchestratorOptions options, TimeProvider time,
    ILogger<RunRetention> logger)
{
    /// <summary>The saga states of finished runs (the state machine's state names).</summary>
    internal static readonly string[] FinishedStates = ["Completed", "Failed", "Cancelled", "Compensated", "CompensationFailed"];

    private const string Store = "workflows";

    /// <summary>Purges, batch after batch, every run that finished at least <paramref name="olderThan"/> ago. Returns the runs deleted.</summary>
    public async Task<long> PurgeAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            var deleted = await PurgeBatchAsync(olderThan, options.RetentionBatchSize, cancellationToken);
            total += deleted;
            if (deleted < options.RetentionBatchSize)
            {
                break;
            }

            // Room for the hot path between two batches.
            await Task.Delay(options.RetentionBatchPause, time, cancellationToken);
        }

        if (total > 0)
        {
            LogPurged(total, olderThan);
        }

        return total;
    }

    /// <summary>Deletes at most <paramref name="batchSize"/> finished runs in one transaction; returns how many.</summary>
    public async Task<int> PurgeBatchAsync(TimeSpan olderThan, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var now = time.GetUtcNow().UtcDateTime;
        var finishedBefore = now - olderThan;
        var undeliveredSince = now - (options.Retention > TimeSpan.Zero ? options.Retention : olderThan);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var outbox = db.Set<OutboxMessage>();
        var ids = await db.Runs.AsNoTracking()
            .Where(r => FinishedStates.Contains(r.CurrentState) && r.UpdatedAt <= finishedBefore
                && !outbox.Any(m => m.SagaCorrelationId == r.CorrelationId && m.CreatedAt > undeliveredSince))
            .OrderBy(r => r.UpdatedAt)
            .Select(r => r.CorrelationId)
            .Take(batchSize)
            .ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The row first, still finished: a run that came back to life meanwhile (a redrive) keeps its row and so its parts.
        var runs = await db.Runs.Where(r => ids.Contains(r.CorrelationId) && FinishedStates.Contains(r.CurrentState))
            .ExecuteDeleteAsync(cancellationToken);
        var parts = await db.Set<WorkflowRunPart>().Where(p => ids.Contains(p.RunId) && !db.Runs.Any(r => r.CorrelationId == p.RunId))
            .ExecuteDeleteAsync(cancellationToken);
        var messages = await outbox.Where(m => ids.Contains(m.SagaCorrelationId) && !db.Runs.Any(r => r.CorrelationId == m.SagaCorrelationId))
            .ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        Count("WorkflowRuns", runs);
        Count("WorkflowRunParts", parts);
        Count("OutboxMessages", messages);
        return runs;
    }

    private static void Count(string table, int rows)
    {
        if (rows > 0)
        {
            RowsPurged.Add(rows, new KeyValuePair<string, object?>(Tags.Store, Store), new KeyValuePair<string, object?>(Tags.Table, table));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} finished runs older than {OlderThan} from the workflow store")]
    private partial void LogPurged(long count, TimeSpan olderThan);
}
