using MassTransit;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>What the scheduler's receive endpoint needs, however it is declared.</summary>
internal static class SchedulerEndpoint
{
    /// <summary>
    /// One message at a time, so commands are applied in the order they were sent: a cancel or a
    /// re-schedule right behind its schedule must not overtake it, and MassTransit's partitioner gives
    /// mutual exclusion, not order. The SQLite store serializes every write anyway.
    /// </summary>
    public const int ConcurrentMessageLimit = 1;

    public static void Configure(IEndpointRegistrationConfigurator endpoint)
    {
        endpoint.Name = QueueNames.Scheduler;
        endpoint.ConcurrentMessageLimit = ConcurrentMessageLimit;
    }

    /// <summary>
    /// In-process only: a busy store is worth a quick retry, but redelivering through the scheduler from
    /// the scheduler's own endpoint would go round in circles.
    /// </summary>
    public static void Retry(IRetryConfigurator retry) => retry.Interval(5, TimeSpan.FromMilliseconds(250));
}
