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
    public static void Retry(IRetryConfigurator retry)
    {
        retry.Ignore<Exception>(Persistence.StoreFailures.IsStoreFailure);
        retry.Interval(5, TimeSpan.FromMilliseconds(250));
    }

    /// <summary>
    /// A store that is down (a database restart or failover) is waited for, about 40 s, rather than the message moved to
    /// the error queue: a schedule lost there would be a sleep, timeout or retry that never fires.
    /// </summary>
    public static void StoreRetry(IRetryConfigurator retry)
    {
        retry.Handle<Exception>(Persistence.StoreFailures.IsStoreFailure);
        retry.Exponential(25, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20));
    }
}
