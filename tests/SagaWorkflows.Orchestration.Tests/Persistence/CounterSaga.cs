using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

public sealed class CounterSaga : IDurableSaga
{
    public Guid CorrelationId { get; set; }

    public string? CurrentState { get; set; }

    public int Count { get; set; }

    public int Version { get; set; }

    public List<OutboxItem> PendingMessages { get; } = [];
}
