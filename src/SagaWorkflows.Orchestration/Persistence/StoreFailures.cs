using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// Tells a failure of the store (a database that is busy, restarting or failing over, a concurrency conflict) from a
/// failure of the message. Store failures say nothing about the run: they are retried until the store answers. They
/// often arrive wrapped: EF Core's execution strategy reports a transient Npgsql failure as an
/// <see cref="InvalidOperationException"/>, Quartz as a <c>JobPersistenceException</c>.
/// </summary>
public static class StoreFailures
{
    public static bool IsStoreFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException or DbUpdateException)
            {
                return true;
            }

            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsStoreFailure))
            {
                return true;
            }
        }

        return false;
    }
}
