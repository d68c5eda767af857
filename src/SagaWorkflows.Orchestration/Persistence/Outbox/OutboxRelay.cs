using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// Delivers outbox rows that outlived their consume — the process stopped between the commit and the delivery, or
/// the broker refused the message — at startup and then every <see cref="SagaOutboxOptions.RelayInterval"/>.
/// Delivery is at least once: a row is deleted after the bus accepted it, and a crash in between sends it again
/// with the same MessageId.
/// </summary>
public sealed partial class OutboxRelay<TContext> : BackgroundService
    where TContext : DbContext
{
    private readonly IBus _bus;
    private readonly IDbContextFactory<TContext> _dbContextFactory;
    private readonly SagaStore<TContext> _store;
    private readonly Func<IMessageScheduler?> _scheduler;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ILogger _logger;
    private readonly SagaOutboxOptions _options;
    // Serializes the timer's passes with explicit calls, so a caller of RelayPendingAsync observes a finished pass.
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly HashSet<Guid> _reportedUnresolvable = [];
    private readonly TimeProvider _timeProvider;

    public OutboxRelay(IDbContextFactory<TContext> dbContextFactory, SagaStore<TContext> store, IBus bus, IOptions<SagaOutboxOptions> options,
        ILogger<OutboxRelay<TContext>>? logger = null, IHostApplicationLifetime? lifetime = null, TimeProvider? timeProvider = null,
        IServiceProvider? services = null)
    {
        _scheduler = services is null ? () => null : OutboxDelivery.SchedulerFrom(services);
        ArgumentNullException.ThrowIfNull(options);

        _dbContextFactory = dbContextFactory;
        _store = store;
        _bus = bus;
        _options = options.Value;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _lifetime = lifetime;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Delivers every row older than <see cref="SagaOutboxOptions.RelayAge"/>, per saga in (CreatedAt, Sequence)
    /// order, and deletes what was delivered. A saga whose row fails is skipped until the next pass, so its later
    /// messages never overtake the failed one. Returns the number of rows delivered.
    /// </summary>
    public async Task<int> RelayPendingAsync(CancellationToken cancellationToken = default)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cutoff = _timeProvider.GetUtcNow().UtcDateTime - _options.RelayAge;
            var total = 0;

            while (true)
            {
                var (fetched, delivered, anyFailed) = await RelayBatchAsync(cutoff, cancellationToken).ConfigureAwait(false);
                total += delivered;

                if (anyFailed || fetched < _options.RelayBatchSize)
                {
                    return total;
                }
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    public override void Dispose()
    {
        _pass.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WaitForApplicationStartedAsync(stoppingToken).ConfigureAwait(false);

            using var timer = new PeriodicTimer(_options.RelayInterval, _timeProvider);
            do
            {
                try
                {
                    var delivered = await RelayPendingAsync(stoppingToken).ConfigureAwait(false);
                    if (delivered > 0)
                    {
                        LogDeliveredLeftBehind(_logger, delivered);
                    }
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // The store may be briefly unavailable (locked file, failover); the next tick tries again.
                    LogPassFailed(_logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WaitForApplicationStartedAsync(CancellationToken stoppingToken)
    {
        // Under a host, the bus is started by another hosted service; publishing before it is up would only fail.
        // Without a host (test harness) there is nothing to wait for.
        await Task.Yield();

        if (_lifetime is null || _lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStarted = _lifetime.ApplicationStarted.Register(() => started.TrySetResult()).ConfigureAwait(false);
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
    }

    private async Task<(int Fetched, int Delivered, bool AnyFailed)> RelayBatchAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        await using var dbContext = await _dbContextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);

        List<OutboxMessage> rows = await dbContext.Set<OutboxMessage>().AsNoTracking()
            .Where(x => x.CreatedAt <= cutoff)
            .OrderBy(x => x.SagaCorrelationId).ThenBy(x => x.CreatedAt).ThenBy(x => x.Sequence)
            .Take(_options.RelayBatchSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        // Rows the live path delivered and has not deleted yet are not lost: they are only waiting for a delete.
        rows.RemoveAll(row => _store.Delivered.Contains(row.Id));
        await DeleteDeliveredAsync(dbContext).ConfigureAwait(false);

        List<Guid> delivered = new(rows.Count);
        Guid? blockedSaga = null;
        var anyFailed = false;

        foreach (var row in rows)
        {
            if (row.SagaCorrelationId == blockedSaga)
            {
                continue;
            }

            try
            {
                var messageType = OutboxSerializer.ResolveType(row.MessageType);
                if (messageType is null)
                {
                    ReportUnresolvable(row);
                    blockedSaga = row.SagaCorrelationId;
                    anyFailed = true;
                    continue;
                }

                var message = OutboxSerializer.Deserialize(row.Body, messageType);

                if (!await OutboxDelivery.DeliverAsync(_bus, _scheduler, row, message, messageType, _timeProvider.GetUtcNow().UtcDateTime,
                        cancellationToken).ConfigureAwait(false))
                {
                    LogDroppedExpired(_logger, row.MessageType, row.Id, row.SagaCorrelationId, row.ExpiresAt);
                }

                delivered.Add(row.Id);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogDeliveryFailed(_logger, exception, row.MessageType, row.Id, row.SagaCorrelationId);
                blockedSaga = row.SagaCorrelationId;
                anyFailed = true;
            }
        }

        if (delivered.Count > 0)
        {
            using var turn = await _store.EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);

            await dbContext.Set<OutboxMessage>().Where(x => delivered.Contains(x.Id)).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return (rows.Count, delivered.Count, anyFailed);
    }

    /// <summary>When no transition comes along to delete delivered rows, the relay's pass does.</summary>
    private async Task DeleteDeliveredAsync(DbContext dbContext)
    {
        if (!_store.Delivered.Any())
        {
            return;
        }

        using var turn = await _store.EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);
        await using var transaction = await dbContext.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        var deleted = await _store.Delivered.DeleteWithinAsync(dbContext).ConfigureAwait(false);
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        _store.Delivered.Forget(deleted);
    }

    private void ReportUnresolvable(OutboxMessage row)
    {
        // Logged once per row: it will not resolve until a deployment brings the type back.
        if (_reportedUnresolvable.Add(row.Id))
        {
            LogUnknownType(_logger, row.Id, row.SagaCorrelationId, row.MessageType);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay delivered {Count} message(s) left behind")]
    private static partial void LogDeliveredLeftBehind(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox relay pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay dropped {MessageType} ({OutboxId}) for saga {CorrelationId}: it expired at {ExpiresAt:o} before it could be delivered")]
    private static partial void LogDroppedExpired(ILogger logger, string messageType, Guid outboxId, Guid correlationId, DateTime? expiresAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay could not deliver {MessageType} ({OutboxId}) for saga {CorrelationId}; retrying next pass")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string messageType, Guid outboxId, Guid correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox row {OutboxId} of saga {CorrelationId} has unknown message type {MessageType}; it and the saga's later messages are held")]
    private static partial void LogUnknownType(ILogger logger, Guid outboxId, Guid correlationId, string messageType);
}
