namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>An outbox row written in the current transaction, with the original message for delivery after the commit.</summary>
internal sealed record StagedOutboxMessage(OutboxMessage Row, OutboxItem Item);
