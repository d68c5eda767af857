using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Runs;

/// <summary>Where a run stands after a message, and the wake-ups to ask the message scheduler for.</summary>
public sealed record RunTransition(RunStatus Status, IReadOnlyList<DateTimeOffset> Wakes);
