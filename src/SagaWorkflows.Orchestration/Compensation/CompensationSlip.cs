using MassTransit;
using MassTransit.Courier.Contracts;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Hosting.Queues;

namespace SagaWorkflows.Orchestration.Compensation;

/// <summary>
/// Builds the Courier routing slip that undoes a run: one activity per completed step with a
/// compensation, in the order given (the reverse of completion), each on the queue of the worker
/// hosting its compensation tool. Its events come back to the run's saga, tracked by the RunId.
/// </summary>
public static class CompensationSlip
{
    public const string RunIdVariable = "RunId";

    public static (Uri FirstActivity, RoutingSlip Slip) Build(Guid runId, IReadOnlyList<CompensationEntry> steps, SagaWorkflowsQueues? queues = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        queues ??= SagaWorkflowsQueues.Classic;
        var builder = new RoutingSlipBuilder(runId);
        foreach (var step in steps)
        {
            builder.AddActivity(step.Path, queues.Address(QueueNames.Compensation(step.Tool)), new CompensateStepArguments
            {
                RunId = runId,
                StepId = step.StepId,
                Path = step.Path,
                Tool = step.Tool,
                Input = step.Input is null ? null : System.Text.Json.JsonSerializer.SerializeToElement(step.Input, CoreJson.Options),
                InputError = step.InputError,
                Retry = step.Retry,
            });
        }

        builder.AddVariable(RunIdVariable, runId);
        builder.AddSubscription(queues.Address(QueueNames.WorkflowRuns),
            RoutingSlipEvents.Completed | RoutingSlipEvents.Faulted | RoutingSlipEvents.ActivityCompleted | RoutingSlipEvents.ActivityFaulted,
            RoutingSlipEventContents.None);
        var slip = builder.Build();
        return (slip.Itinerary[0].Address, slip);
    }
}
