using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Hosting.Telemetry;
using SagaWorkflows.Orchestration.Persistence;
using SagaWorkflows.Orchestration.Retention;
using SagaWorkflows.Orchestration.Runs;

namespace SagaWorkflows.Orchestration.Monitoring;

/// <summary>
/// Gauges read from the workflow store: runs in flight, the outbox backlog and the age of its oldest message (the delivery
/// lag). Only read when a listener collects them (an exporter every export interval), and then at most every
/// <see cref="RefreshAfter"/>; they describe the store, so every orchestrator sharing it reports the same figures.
/// </summary>
internal sealed partial class WorkflowStoreGauges : IHostedService, IDisposable
{
    private static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(5);

    private readonly IDbContextFactory<WorkflowDbContext> _contexts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Lock _gate = new();
    private (long Active, long Backlog, double Lag) _figures;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public WorkflowStoreGauges(IMeterFactory meters, IDbContextFactory<WorkflowDbContext> contexts, TimeProvider time, ILogger<WorkflowStoreGauges> logger)
    {
        _contexts = contexts;
        _time = time;
        _logger = logger;
        _meter = meters.Create(SagaWorkflowsDiagnostics.Name);
        _meter.CreateObservableGauge("sagawf.runs.active", () => Read().Active, "{run}",
            "Runs in flight: started and not finished (running, suspended or compensating), as the workflow store holds them.");
        _meter.CreateObservableGauge("sagawf.outbox.backlog", () => Read().Backlog, "{message}",
            "Messages in the workflow store's outbox: committed, not yet confirmed delivered and deleted.");
        _meter.CreateObservableGauge("sagawf.outbox.delivery_lag", () => Read().Lag, "s",
            "Age of the oldest message in the outbox (0 when empty): how far delivery is behind the commits.");
    }

    private (long Active, long Backlog, double Lag) Read()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now - _readAt < RefreshAfter)
            {
                return _figures;
            }

            _readAt = now;
            try
            {
                using var db = _contexts.CreateDbContext();
                var active = db.Runs.LongCount(r => !RunRetention.FinishedStates.Contains(r.CurrentState));
                var outbox = db.Set<OutboxMessage>();
                var backlog = outbox.LongCount();
                var oldest = outbox.Min(m => (DateTime?)m.CreatedAt);
                var lag = oldest is { } created ? Math.Max(0, (now.UtcDateTime - DateTime.SpecifyKind(created, DateTimeKind.Utc)).TotalSeconds) : 0;
                _figures = (active, backlog, lag);
            }
            catch (Exception exception) when (exception is InvalidOperationException or System.Data.Common.DbException)
            {
                LogReadFailed(_logger, exception);
            }

            return _figures;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _meter.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading the workflow store's gauges failed; reporting the last figures")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
