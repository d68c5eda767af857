using System.Data.Common;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

public static class DurableSagaEndpointExtensions
{
    /// <summary>
    /// Prepares a receive endpoint hosting a saga stored by <see cref="EfSagaRepositoryContextFactory{TSaga,TContext}"/>:
    /// an optional partitioner by correlation id (<paramref name="partitionCount"/> &gt; 0; every message type on the
    /// endpoint then needs a CorrelationId convention, e.g. <c>GlobalTopology.Send.UseCorrelationId&lt;T&gt;(x =&gt; x.RunId)</c>),
    /// then message retry. By default only store exceptions (<see cref="DbUpdateException"/>, including concurrency
    /// conflicts, and <see cref="DbException"/>, also when wrapped: <see cref="StoreFailures"/>) are retried, up to 25 times
    /// with exponential back-off from 10 ms to 2 s: about 40 s, enough to ride out a database restart or failover rather
    /// than move the message to the error queue; pass <paramref name="configureRetry"/> to replace that policy.
    /// Call it before configuring the saga on the endpoint.
    /// </summary>
    public static IReceiveEndpointConfigurator ConfigureDurableSagaEndpoint(this IReceiveEndpointConfigurator endpoint, int partitionCount = 0,
        Action<IRetryConfigurator>? configureRetry = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(partitionCount);

        // Outside the retry, so a partition stays held while its message is retried.
        if (partitionCount > 0)
        {
            endpoint.UseMessagePartitioner(partitionCount);
        }

        endpoint.UseMessageRetry(configureRetry ?? DefaultRetry);

        return endpoint;
    }

    private static void DefaultRetry(IRetryConfigurator retry)
    {
        retry.Handle<Exception>(StoreFailures.IsStoreFailure);
        retry.Exponential(25, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20));
    }
}
