using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SagaWorkflows.Bridge.Storage;

/// <summary>Deletes finished runs from the bridge's store, batch after batch, leaving the write lock between batches.</summary>
public sealed partial class BridgeRetention(BridgeEventStore store, IOptions<BridgeOptions> options, TimeProvider time, ILogger<BridgeRetention> logger)
{
    /// <summary>Deletes every run that finished at least <paramref name="olderThan"/> ago; returns how many.</summary>
    public async Task<long> PurgeAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var batchSize = options.Value.RetentionBatchSize;
        var endedBefore = time.GetUtcNow() - olderThan;
        long total = 0;
        int deleted;
        do
        {
            deleted = await store.PurgeFinishedRunsAsync(endedBefore, batchSize, cancellationToken);
            total += deleted;
            await Task.Yield();
        }
        while (deleted == batchSize);

        if (total > 0)
        {
            LogPurged(total, olderThan);
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} finished runs older than {OlderThan} from the bridge's store")]
    private partial void LogPurged(long count, TimeSpan olderThan);
}
