namespace SagaWorkflows.Bridge.Runs;

/// <summary>A signal the orchestrator refused (SignalRejected), with its reason.</summary>
public sealed record RejectedSignalSnapshot(string Signal, string Reason, DateTimeOffset At);
