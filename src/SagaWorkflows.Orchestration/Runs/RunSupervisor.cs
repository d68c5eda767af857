using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting.Queues;

namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// The runs' durable clock: timers live in the saga row (<see cref="WorkflowRun.WakeAt"/>), so
/// they survive restarts and cannot be lost between a save and a send. This service wakes runs
/// whose timer is due; the saga decides what the timer means. Any orchestrator instance may do it:
/// a duplicate wake changes nothing.
/// </summary>
public sealed partial class RunSupervisor(
    IDbContextFactory<WorkflowDbContext> contexts,
    IBus bus,
    OrchestratorOptions options,
    TimeProvider time,
    ILogger<RunSupervisor> logger,
    SagaWorkflowsQueues? queues = null) : BackgroundService
{
    private const int BatchSize = 500;
    private readonly Uri _runsQueue = (queues ?? SagaWorkflowsQueues.Classic).Address(QueueNames.WorkflowRuns);

    /// <summary>The wake time last sent per run and how often it was sent, so a run is not woken again and
    /// again while its saga has not yet handled the first wake, nor forever when its wakes keep failing.</summary>
    private readonly Dictionary<Guid, (DateTime WakeAt, DateTimeOffset SentAt, int Times)> _sent = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.TimerPollInterval, time);
        do
        {
            try
            {
                await WakeDueRunsAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(logger, ex, options.TimerPollInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task WakeDueRunsAsync(CancellationToken cancellationToken)
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
        var toWake = new List<(Guid CorrelationId, DateTime WakeAt, int Times)>();
        foreach (var run in due)
        {
            if (!_sent.TryGetValue(run.CorrelationId, out var sent) || sent.WakeAt != run.WakeAt)
            {
                toWake.Add((run.CorrelationId, run.WakeAt, 1));
            }
            else if (now - sent.SentAt > resendAfter && sent.Times < options.MaxWakesPerTimer)
            {
                toWake.Add((run.CorrelationId, run.WakeAt, sent.Times + 1));
            }
            else if (now - sent.SentAt > resendAfter && sent.Times == options.MaxWakesPerTimer)
            {
                // Its wakes were sent and the timer is still due: they fail (and the run has been failed as
                // poison), or nothing consumes them. Waking it forever would only grow the error queue and the log.
                _sent[run.CorrelationId] = sent with { Times = sent.Times + 1 };
                LogGaveUpWaking(logger, run.CorrelationId, sent.Times, run.WakeAt);
            }
        }

        if (toWake.Count == 0)
        {
            return;
        }

        var endpoint = await bus.GetSendEndpoint(_runsQueue);
        await Task.WhenAll(toWake.Select(r => endpoint.Send(new WakeWorkflowRun { RunId = r.CorrelationId }, cancellationToken)));
        foreach (var run in toWake)
        {
            _sent[run.CorrelationId] = (run.WakeAt, now, run.Times);
        }

        if (_sent.Count > BatchSize * 20)
        {
            var cutoff = now - resendAfter;
            foreach (var stale in _sent.Where(s => s.Value.SentAt < cutoff && s.Value.Times <= options.MaxWakesPerTimer).Select(s => s.Key).ToList())
            {
                _sent.Remove(stale);
            }
        }

        LogWoke(logger, toWake.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for due run timers failed; trying again in {Interval}")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} was woken {Times} times for its timer due at {WakeAt:o} and it is still due; no longer waking it")]
    private static partial void LogGaveUpWaking(ILogger logger, Guid runId, int times, DateTime wakeAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Woke {Count} runs with due timers")]
    private static partial void LogWoke(ILogger logger, int count);
}
