using SagaWorkflows.Contracts;

namespace SagaWorkflows.Core.Engine;

/// <summary>What the engine asks its host to do after the new state is saved.</summary>
public abstract record EngineEffect;

/// <summary>Send a step command (<see cref="ExecuteTool"/>, <see cref="ExecuteAiStep"/>) to a queue.</summary>
public sealed record SendStepCommand(string Queue, object Command, TimeSpan? TimeToLive) : EngineEffect;

public sealed record PublishLifecycleEvent(WorkflowLifecycleEvent Event) : EngineEffect;

public sealed record RejectSignal(SignalRejected Rejection) : EngineEffect;

/// <summary>
/// Wake the run at <see cref="At"/> through the message scheduler (sleeps, wait timeouts). The run's
/// own row keeps the timer too, so a lost or early wake changes nothing.
/// </summary>
public sealed record ScheduleWake(DateTimeOffset At) : EngineEffect;

/// <summary>Send a run command (<see cref="StartWorkflow"/>, <see cref="CancelWorkflow"/>, <see cref="ChildRunFinished"/>…) to the runs' queue:
/// how a run starts, steers and answers its child runs.</summary>
public sealed record SendRunMessage(object Message) : EngineEffect;

/// <summary>Undo these steps, in this order (the reverse of completion).</summary>
public sealed record RunCompensation(IReadOnlyList<CompensationEntry> Steps) : EngineEffect;
