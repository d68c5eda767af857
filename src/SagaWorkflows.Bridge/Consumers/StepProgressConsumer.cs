using System.Text.Json;
using MassTransit;
using SagaWorkflows.Bridge.Streaming;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Consumers;

/// <summary>
/// Relays <see cref="StepProgress"/> (a streamed <c>ai</c> step's text as it grows) to the run's open streams, live only:
/// progress is a side channel, neither stored nor replayed, so it never touches the run's gapless Sequence.
/// </summary>
public sealed class StepProgressConsumer(BridgeEventHub hub) : IConsumer<StepProgress>
{
    public Task Consume(ConsumeContext<StepProgress> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        hub.PublishProgress(ToRelayed(context.Message));
        return Task.CompletedTask;
    }

    /// <summary>The SSE data: the progress with its <c>type</c>, shaped like a lifecycle event.</summary>
    public static RelayedEvent ToRelayed(StepProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var json = JsonSerializer.Serialize(new ProgressData(progress.RunId, progress.WorkflowId, StepProgress.EventType, progress.StepId, progress.Path,
            progress.Attempt, progress.Index, progress.Offset, progress.Delta, progress.Timestamp), BridgeJson.Options);
        return new RelayedEvent(0, progress.RunId, 0, StepProgress.EventType, json) { IsProgress = true };
    }

    private sealed record ProgressData(Guid RunId, string WorkflowId, string Type, string StepId, string Path, int Attempt, int Index, int Offset,
        string Delta, DateTimeOffset Timestamp);
}
