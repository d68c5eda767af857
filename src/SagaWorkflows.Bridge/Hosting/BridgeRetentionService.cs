using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SagaWorkflows.Bridge.Storage;

namespace SagaWorkflows.Bridge.Hosting;

/// <summary>
/// Applies <see cref="BridgeOptions.Retention"/>: every <see cref="BridgeOptions.RetentionInterval"/> deletes the runs that
/// finished longer ago, batch by batch (<see cref="BridgeRetention"/>).
/// </summary>
internal sealed partial class BridgeRetentionService(BridgeRetention retention, IOptions<BridgeOptions> options, TimeProvider time,
    ILogger<BridgeRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Retention <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(settings.RetentionInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await retention.PurgeAsync(settings.Retention, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(exception, settings.RetentionInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A retention pass over the bridge's store failed; trying again in {Interval}")]
    private partial void LogFailed(Exception exception, TimeSpan interval);
}
