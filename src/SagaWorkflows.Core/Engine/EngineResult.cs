namespace SagaWorkflows.Core.Engine;

/// <summary>The state after an event, what to do about it, and when the run next needs a timer.</summary>
public sealed record EngineResult(RunState State, IReadOnlyList<EngineEffect> Effects, DateTimeOffset? WakeAt);
