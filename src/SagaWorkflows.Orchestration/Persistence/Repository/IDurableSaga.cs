using MassTransit;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// A state machine instance stored by <see cref="EfSagaRepositoryContextFactory{TSaga,TContext}"/>.
/// Map it with <see cref="SagaStoreModelBuilderExtensions.MapDurableSaga{TSaga}"/>.
/// </summary>
public interface IDurableSaga : SagaStateMachineInstance
{
    /// <summary>
    /// Optimistic concurrency token. The repository sets it to 1 on insert and increments it on every update;
    /// the state machine must not change it.
    /// </summary>
    int Version { get; set; }

    /// <summary>
    /// Messages the current transition produced (not mapped). The repository writes them to the outbox in the
    /// same transaction as the saga, delivers them after the commit, and clears the list.
    /// Add to it with <see cref="DurableSagaExtensions.EnqueuePublish{T}"/> / <see cref="DurableSagaExtensions.EnqueueSend{T}"/>
    /// instead of publishing from the state machine, which would not be transactional.
    /// </summary>
    List<OutboxItem> PendingMessages { get; }
}
