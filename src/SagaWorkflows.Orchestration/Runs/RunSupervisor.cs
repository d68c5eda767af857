using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// The runs' durable clock: timers live in the saga row (<see cref="WorkflowRun.WakeAt"/>), so
/// they survive restarts and cannot be lost between a save and a send. This service wakes runs
/// whose timer is due; the saga decides what the timer means. Any orchestrator instance may do it:
/// a duplicate wake changes nothing.
/// </summary>
public sealed class RunSupervisor(
    IDbContextFactory<WorkflowDbContext> contexts,
    IBus bus,
    OrchestratorOptions options,
    TimeProvider time,
    ILogger<RunSupervisor> logger) : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly Uri RunsQueue = new("queue:" + QueueNames.WorkflowRuns);

    /// <summary>The wake time last sent per run, so a run is not woken again and again while its
    /// saga has not yet handled the first wake.</summary>
    private readonly Dictionary<Guid, (DateTime WakeAt, DateTimeOffset SentAt)> _sent = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.TimerPollInterval, time);
        do
        {
            try
            {
                await WakeDueRuns(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Looking for due run timers failed; trying again in {Interval}", options.TimerPollInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task WakeDueRuns(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nowUtc = now.UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var due = await db.Runs.AsNoTracking()
            .Where(r => r.WakeAt != null && r.WakeAt <= nowUtc)
            .OrderBy(r => r.WakeAt)
            .Select(r => new { r.CorrelationId, WakeAt = r.WakeAt!.Value })
            .Take(BatchSize)
            .ToListAsync(cancellationToken);

        var resendAfter = TimeSpan.FromTicks(Math.Max(options.TimerPollInterval.Ticks * 10, TimeSpan.FromSeconds(10).Ticks));
        var toWake = due.Where(r => !_sent.TryGetValue(r.CorrelationId, out var sent) || sent.WakeAt != r.WakeAt || now - sent.SentAt > resendAfter).ToList();
        if (toWake.Count == 0)
        {
            return;
        }

        var endpoint = await bus.GetSendEndpoint(RunsQueue);
        await Task.WhenAll(toWake.Select(r => endpoint.Send(new WakeWorkflowRun { RunId = r.CorrelationId }, cancellationToken)));
        foreach (var run in toWake)
        {
            _sent[run.CorrelationId] = (run.WakeAt, now);
        }

        if (_sent.Count > BatchSize * 20)
        {
            var cutoff = now - resendAfter;
            foreach (var stale in _sent.Where(s => s.Value.SentAt < cutoff).Select(s => s.Key).ToList())
            {
                _sent.Remove(stale);
            }
        }

        logger.LogDebug("Woke {Count} runs with due timers", toWake.Count);
    }
}
