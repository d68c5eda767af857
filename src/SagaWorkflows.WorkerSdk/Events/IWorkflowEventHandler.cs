using SagaWorkflows.Contracts;

namespace SagaWorkflows.WorkerSdk.Events;

/// <summary>
/// Receives a run's lifecycle events exactly in <see cref="WorkflowLifecycleEvent.Sequence"/> order, each
/// once (per <see cref="IWorkflowEventPositions"/>), whatever order the broker delivered them in.
/// Registered with <see cref="OrderedWorkflowEventsExtensions.ConsumeWorkflowEventsInOrder"/>.
/// </summary>
public interface IWorkflowEventHandler
{
    Task HandleAsync(WorkflowLifecycleEvent lifecycleEvent, CancellationToken cancellationToken);
}
