using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SagaWorkflows.Orchestration.Retention;

/// <summary>
/// Applies <see cref="OrchestratorOptions.Retention"/>: every <see cref="OrchestratorOptions.RetentionInterval"/> deletes
/// the runs that finished longer ago, in batches of <see cref="OrchestratorOptions.RetentionBatchSize"/>. Any number of
/// orchestrators sharing a store may run it: deleting what another already deleted changes nothing.
/// </summary>
internal sealed partial class RunRetentionService(RunRetention retention, OrchestratorOptions options, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<RunRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Retention <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            // Not during startup: the first pass waits until the host (and its bus) are up.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            {
                await started.Task.WaitAsync(stoppingToken);
            }

            using var timer = new PeriodicTimer(options.RetentionInterval, time);
            do
            {
                try
                {
                    await retention.PurgeAsync(options.Retention, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(exception, options.RetentionInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A retention pass over the workflow store failed; trying again in {Interval}")]
    private partial void LogFailed(Exception exception, TimeSpan interval);
}
