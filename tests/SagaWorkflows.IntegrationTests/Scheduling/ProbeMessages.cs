namespace SagaWorkflows.IntegrationTests.Scheduling;

/// <summary>A message the tests schedule; <see cref="Label"/> tells the cases apart.</summary>
public sealed record ScheduledProbe
{
    public string Label { get; init; } = "";
}

/// <summary>A message whose consumer asks for one redelivery through the scheduler.</summary>
public sealed record RedeliveryProbe
{
    public Guid Id { get; init; }
}
