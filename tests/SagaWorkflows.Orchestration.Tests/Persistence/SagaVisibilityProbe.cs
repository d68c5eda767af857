using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Data.Sqlite;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

/// <summary>
/// Records, when a <see cref="CounterStarted"/> is published, whether its saga row is already visible to another
/// connection, i.e. committed.
/// </summary>
public sealed class SagaVisibilityProbe(string connectionString) : IPublishObserver
{
    public ConcurrentDictionary<Guid, bool> CommittedAtPublish { get; } = new();

    public async Task PrePublish<T>(PublishContext<T> context)
        where T : class
    {
        if (context.Message is not CounterStarted started)
            return;

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"Counters\" WHERE \"CorrelationId\" = $id";
        command.Parameters.AddWithValue("$id", started.CounterId.ToString().ToUpperInvariant());

        CommittedAtPublish[started.CounterId] = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
