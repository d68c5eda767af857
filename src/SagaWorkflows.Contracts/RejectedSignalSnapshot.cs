namespace SagaWorkflows.Contracts;

/// <summary>A signal the orchestrator refused (<see cref="SignalRejected"/>), with its reason.</summary>
public sealed record RejectedSignalSnapshot(string Signal, string Reason, DateTimeOffset At);
