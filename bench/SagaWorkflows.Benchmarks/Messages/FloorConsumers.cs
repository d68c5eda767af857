using System.Text.Json;
using MassTransit;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Messages;

/// <summary>
/// The step floor's orchestrator: what the saga delivers once a transition has committed, and nothing else. For
/// a start or a reply it sends the next step's command and, alongside that send, publishes two events one after
/// the other (workflow-start then step-start of step 1; step-complete of step k then step-start of step k + 1),
/// each awaited, as the saga's outbox delivery does; after the run's last step it publishes one terminal event.
/// No saga, no store, no state: the step comes with the message, the run's length with the consumer (its "definition").
/// </summary>
public sealed class FloorOrchestrator(int steps, Uri workerAddress) : IConsumer<FloorStartRun>, IConsumer<FloorStepCompleted>
{
    public string WorkflowId { get; } = $"bench-floor-{steps}";

    public Task Consume(ConsumeContext<FloorStartRun> context)
    {
        var message = context.Message;
        var now = DateTimeOffset.UtcNow;
        return DispatchAsync(context, message.RunId, 1, message.Data,
            Event(message.RunId, 1, LifecycleEventTypes.WorkflowStart, null, now, message.Data),
            Event(message.RunId, 2, LifecycleEventTypes.StepStart, 1, now, message.Data));
    }

    public Task Consume(ConsumeContext<FloorStepCompleted> context)
    {
        var message = context.Message;
        var step = message.Sequence;
        var now = DateTimeOffset.UtcNow;

        // Events are numbered as the product numbers a sequential run's: workflow-start 1, then step k's start 2k and its end 2k + 1.
        if (step >= steps)
        {
            return context.Publish(Event(message.RunId, 2L * step + 1, LifecycleEventTypes.WorkflowComplete, null, now, message.Data),
                context.CancellationToken);
        }

        return DispatchAsync(context, message.RunId, step + 1, message.Data,
            Event(message.RunId, 2L * step + 1, LifecycleEventTypes.StepComplete, step, now, message.Data),
            Event(message.RunId, 2L * step + 2, LifecycleEventTypes.StepStart, step + 1, now, message.Data));
    }

    public static string StepPath(int step) => $"s{step}";

    private async Task DispatchAsync(ConsumeContext context, Guid runId, int step, JsonElement? data, FloorLifecycleEvent first, FloorLifecycleEvent second)
    {
        var worker = await context.GetSendEndpoint(workerAddress);
        var command = new FloorExecuteStep
        {
            RunId = runId,
            ExecutionId = NewId.NextGuid(),
            StepId = StepPath(step),
            Path = StepPath(step),
            Tool = "echo",
            Sequence = step,
            Timestamp = first.Timestamp,
            Data = data,
        };
        await Task.WhenAll(worker.Send(command, context.CancellationToken), PublishInOrderAsync(context, first, second));
    }

    private static async Task PublishInOrderAsync(ConsumeContext context, FloorLifecycleEvent first, FloorLifecycleEvent second)
    {
        await context.Publish(first, context.CancellationToken);
        await context.Publish(second, context.CancellationToken);
    }

    private FloorLifecycleEvent Event(Guid runId, long sequence, string type, int? step, DateTimeOffset timestamp, JsonElement? data) => new()
    {
        RunId = runId,
        WorkflowId = WorkflowId,
        Sequence = sequence,
        Type = type,
        StepId = step is { } s ? StepPath(s) : null,
        Path = step is { } p ? StepPath(p) : null,
        StepType = step is null ? null : "tool",
        Attempt = step is null ? null : 1,
        Timestamp = timestamp,
        Data = data,
    };
}

/// <summary>The step floor's worker: the <c>echo</c> tool's endpoint without the SDK, replying to the orchestrator's queue.</summary>
public sealed class FloorWorker(Uri orchestratorAddress) : IConsumer<FloorExecuteStep>
{
    public async Task Consume(ConsumeContext<FloorExecuteStep> context)
    {
        var command = context.Message;
        var orchestrator = await context.GetSendEndpoint(orchestratorAddress);
        await orchestrator.Send(new FloorStepCompleted
        {
            RunId = command.RunId,
            ExecutionId = command.ExecutionId,
            StepId = command.StepId,
            Path = command.Path,
            Attempt = command.Attempt,
            Sequence = command.Sequence,
            Timestamp = DateTimeOffset.UtcNow,
            Data = command.Data,
        }, context.CancellationToken);
    }
}
