using System.Text.Json;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

// Messages of the test saga; one file because they only make sense together.
public sealed record StartCounter(Guid CounterId, bool Fail = false, Uri? AuditAddress = null, TimeSpan? AuditTimeToLive = null,
    DateTime? AuditDueAt = null);

public sealed record IncrementCounter(Guid CounterId);

public sealed record FinishCounter(Guid CounterId);

public sealed record ResetCounter(Guid CounterId);

public sealed record CounterReset(Guid CounterId, int PreviousCount);

public sealed record CounterStarted(Guid CounterId);

public sealed record CounterIncremented(Guid CounterId, int Count);

public sealed record CounterFinished(Guid CounterId, int Count);

public sealed record AuditCounter(Guid CounterId, string Action);

public sealed record LeftBehind(Guid CounterId, int Order, JsonElement Payload);
