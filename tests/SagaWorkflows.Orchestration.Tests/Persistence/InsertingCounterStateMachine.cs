namespace SagaWorkflows.Orchestration.Tests.Persistence;

/// <summary>The same machine with InsertOnInitial, which drives the repository's Insert (pre-insert) path.</summary>
public sealed class InsertingCounterStateMachine() : CounterStateMachine(insertOnInitial: true);
