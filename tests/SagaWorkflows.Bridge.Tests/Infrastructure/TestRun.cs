using System.Text.Json;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>Builds the lifecycle events an orchestrator would publish for one run.</summary>
public sealed class TestRun(string workflowId = "order-fulfillment")
{
    // Now, to the millisecond, so a page showing a running step's elapsed time shows something sensible.
    private readonly DateTimeOffset _epoch = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public Guid RunId { get; } = Guid.NewGuid();
    public string WorkflowId { get; } = workflowId;

    /// <summary>Timestamps are 100 ms apart per sequence, so durations are predictable.</summary>
    public WorkflowLifecycleEvent Event(long sequence, string type, string? path = null, int? attempt = null,
        object? data = null, string? stepType = "tool") => new()
        {
            RunId = RunId,
            WorkflowId = WorkflowId,
            Sequence = sequence,
            Type = type,
            Path = path,
            StepId = path is null ? null : path[(path.LastIndexOf('.') + 1)..],
            StepType = path is null ? null : stepType,
            Attempt = attempt,
            Timestamp = _epoch.AddMilliseconds(sequence * 100),
            Data = data is null ? null : JsonSerializer.SerializeToElement(data),
        };

    /// <summary>Start, <paramref name="steps"/> steps that each start and complete, then workflow-complete.</summary>
    public List<WorkflowLifecycleEvent> Simple(int steps)
    {
        var events = new List<WorkflowLifecycleEvent> { Event(1, LifecycleEventTypes.WorkflowStart, data: new { orderId = "A-1" }) };
        for (var i = 1; i <= steps; i++)
        {
            events.Add(Event(events.Count + 1, LifecycleEventTypes.StepStart, "step" + i, 1));
            events.Add(Event(events.Count + 1, LifecycleEventTypes.StepComplete, "step" + i, 1, new { done = i }));
        }

        events.Add(Event(events.Count + 1, LifecycleEventTypes.WorkflowComplete, data: new { ok = true }));
        return events;
    }
}
