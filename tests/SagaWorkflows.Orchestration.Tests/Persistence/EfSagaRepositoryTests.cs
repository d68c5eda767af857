using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

public sealed class EfSagaRepositoryTests
{
    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task New_saga_is_inserted_and_its_messages_are_delivered_after_the_commit(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var probe = new SagaVisibilityProbe(host.IsCommittedAsync);
        using var observer = host.Harness.Bus.ConnectPublishObserver(probe);
        var id = NewId.NextGuid();

        Assert.Equal(1, await host.PublishAndSettleAsync(new StartCounter(id), m => m.CounterId == id));
        var saga = await host.FindSagaAsync(id);
        Assert.NotNull(saga);
        Assert.Equal("Counting", saga.CurrentState);
        Assert.Equal(1, saga.Version);

        var started = Assert.Single(host.Harness.PublishedSoFar<CounterStarted>(m => m.CounterId == id));
        Assert.True(probe.CommittedAtPublish[id], "the saga row was not committed when its event was published");
        var audit = Assert.Single(host.Harness.SentSoFar<AuditCounter>(m => m.CounterId == id));
        Assert.Equal("started", audit.Context.Message.Action);
        Assert.EndsWith("/counter-audit", audit.Context.DestinationAddress!.AbsolutePath, StringComparison.Ordinal);
        Assert.NotEqual(started.Context.MessageId, audit.Context.MessageId);
        Assert.Null(audit.Context.TimeToLive);
        Assert.Empty(await host.OutboxRowsAsync());
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task A_send_with_a_time_to_live_leaves_with_the_time_left_of_it_and_the_row_keeps_its_expiry(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var id = NewId.NextGuid();
        var before = DateTime.UtcNow;

        await host.PublishAndSettleAsync(new StartCounter(id, AuditTimeToLive: TimeSpan.FromMinutes(5)), m => m.CounterId == id);

        var audit = Assert.Single(host.Harness.SentSoFar<AuditCounter>(m => m.CounterId == id));
        Assert.InRange(audit.Context.TimeToLive!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        var row = Assert.Single(await host.AllOutboxRowsAsync(), r => r.Destination is not null);
        Assert.InRange(row.ExpiresAt!.Value, before.AddMinutes(5), DateTime.UtcNow.AddMinutes(5));
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task A_send_due_later_is_committed_as_an_outbox_row_and_handed_to_the_scheduler_for_its_due_time(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var id = NewId.NextGuid();
        var dueAt = DateTime.UtcNow.AddMinutes(10);

        await host.PublishAndSettleAsync(new StartCounter(id, AuditDueAt: dueAt), m => m.CounterId == id);

        // The row carries the due time; its delivery asked the scheduler (here the transport's delay) for it.
        var row = Assert.Single(await host.AllOutboxRowsAsync(), r => r.Destination is not null);
        Assert.Equal(dueAt, row.DueAt!.Value, TimeSpan.FromMilliseconds(1));
        var audit = Assert.Single(host.Harness.SentSoFar<AuditCounter>(m => m.CounterId == id));
        Assert.Equal(row.Id, audit.Context.MessageId);
        Assert.InRange(audit.Context.Delay!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Equal("Counting", (await host.FindSagaAsync(id))?.CurrentState);
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task Update_increments_the_version(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var id = NewId.NextGuid();
        await host.StartCounterAsync(id);


        Assert.Equal(1, await host.PublishAndSettleAsync(new IncrementCounter(id), m => m.CounterId == id));
        var saga = await host.FindSagaAsync(id);
        Assert.NotNull(saga);
        Assert.Equal(2, saga.Version);
        Assert.Equal(1, saga.Count);
        Assert.Single(host.Harness.PublishedSoFar<CounterIncremented>(m => m.CounterId == id && m.Count == 1));
        Assert.Empty(await host.OutboxRowsAsync());
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task Concurrent_messages_for_one_saga_all_take_effect(string dialect)
    {
        const int increments = 20;
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var id = NewId.NextGuid();
        await host.StartCounterAsync(id);

        await Task.WhenAll(Enumerable.Range(0, increments).Select(_ => host.Harness.Bus.Publish(new IncrementCounter(id))));

        Assert.Equal(increments, await host.Harness.WaitForConsumedAsync<IncrementCounter>(m => m.CounterId == id, increments));
        await host.DrainedAsync();
        var saga = await host.FindSagaAsync(id);
        Assert.NotNull(saga);
        Assert.Equal(increments, saga.Count);
        Assert.Equal(increments + 1, saga.Version);
        // Every transition saw the previous one's result: no two of them produced the same count.
        var counts = host.Harness.PublishedSoFar<CounterIncremented>(m => m.CounterId == id).Select(x => x.Context.Message.Count).Order();
        Assert.Equal(Enumerable.Range(1, increments), counts);
        Assert.Empty(await host.OutboxRowsAsync());
    }

    [Theory]
    [InlineData(false, SagaStoreTestHost.Sqlite)]
    [InlineData(true, SagaStoreTestHost.Sqlite)]
    [InlineData(false, SagaStoreTestHost.Postgres)]
    [InlineData(true, SagaStoreTestHost.Postgres)]
    public async Task Duplicate_initiating_message_creates_one_saga(bool insertOnInitial, string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(insertOnInitial, dialect: dialect);
        var id = NewId.NextGuid();

        await Task.WhenAll(host.Harness.Bus.Publish(new StartCounter(id)), host.Harness.Bus.Publish(new StartCounter(id)));

        Assert.Equal(2, await host.Harness.WaitForConsumedAsync<StartCounter>(m => m.CounterId == id, 2));
        await host.DrainedAsync();
        Assert.Equal(1, await host.WithDbContextAsync(db => db.Counters.CountAsync(x => x.CorrelationId == id)));
        Assert.Single(host.Harness.PublishedSoFar<CounterStarted>(m => m.CounterId == id));
        Assert.Empty(await host.OutboxRowsAsync());
    }

    [Theory]
    [InlineData(false, SagaStoreTestHost.Sqlite)]
    [InlineData(true, SagaStoreTestHost.Sqlite)]
    [InlineData(false, SagaStoreTestHost.Postgres)]
    [InlineData(true, SagaStoreTestHost.Postgres)]
    public async Task Failed_consume_leaves_neither_saga_nor_outbox_rows(bool insertOnInitial, string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(insertOnInitial, dialect: dialect);
        var id = NewId.NextGuid();

        await host.Harness.Bus.Publish(new StartCounter(id, Fail: true));

        Assert.True(await host.Harness.Published.Any<Fault<StartCounter>>(x => x.Context.Message.Message.CounterId == id));
        Assert.Null(await host.FindSagaAsync(id));
        Assert.Empty(await host.OutboxRowsAsync());
        Assert.Empty(host.Harness.PublishedSoFar<CounterStarted>(m => m.CounterId == id));
        Assert.Empty(host.Harness.SentSoFar<AuditCounter>(m => m.CounterId == id));
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task Finalized_saga_is_deleted_and_its_last_messages_are_delivered(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var id = NewId.NextGuid();
        await host.StartCounterAsync(id);
        await host.PublishAndSettleAsync(new IncrementCounter(id), m => m.CounterId == id);


        Assert.Equal(1, await host.PublishAndSettleAsync(new FinishCounter(id), m => m.CounterId == id));
        Assert.Null(await host.FindSagaAsync(id));
        Assert.Single(host.Harness.PublishedSoFar<CounterFinished>(m => m.CounterId == id && m.Count == 1));
        Assert.Empty(await host.OutboxRowsAsync());
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task Delivered_rows_are_deleted_with_the_next_transition_instead_of_a_commit_of_their_own(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var first = NewId.NextGuid();
        var second = NewId.NextGuid();

        Assert.Equal(1, await host.PublishAndSettleAsync(new StartCounter(first), m => m.CounterId == first));
        var delivered = (await host.AllOutboxRowsAsync()).Select(r => r.Id).ToList();
        Assert.NotEmpty(delivered);
        Assert.Empty(await host.OutboxRowsAsync());

        Assert.Equal(1, await host.PublishAndSettleAsync(new StartCounter(second), m => m.CounterId == second));

        Assert.DoesNotContain(await host.AllOutboxRowsAsync(), r => delivered.Contains(r.Id));
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task Delivery_failure_after_the_commit_keeps_the_undelivered_rows_for_the_relay(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var id = NewId.NextGuid();

        // The in-memory transport has no host for this scheme, so only the send fails, after the commit.

        Assert.Equal(1, await host.PublishAndSettleAsync(new StartCounter(id, AuditAddress: new Uri("rabbitmq://nowhere/counter-audit")), m => m.CounterId == id));
        Assert.Equal("Counting", (await host.FindSagaAsync(id))?.CurrentState);
        Assert.Single(host.Harness.PublishedSoFar<CounterStarted>(m => m.CounterId == id));
        var left = Assert.Single(await host.OutboxRowsAsync());
        Assert.Equal(id, left.SagaCorrelationId);
        Assert.Equal("rabbitmq://nowhere/counter-audit", left.Destination);
        Assert.StartsWith(typeof(AuditCounter).FullName!, left.MessageType, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task Query_correlated_message_updates_the_saga_and_delivers_its_messages(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var id = NewId.NextGuid();
        await host.StartCounterAsync(id);
        await host.PublishAndSettleAsync(new IncrementCounter(id), m => m.CounterId == id);


        Assert.Equal(1, await host.PublishAndSettleAsync(new ResetCounter(id), m => m.CounterId == id));
        var saga = await host.FindSagaAsync(id);
        Assert.NotNull(saga);
        Assert.Equal(0, saga.Count);
        Assert.Equal(3, saga.Version);
        Assert.Single(host.Harness.PublishedSoFar<CounterReset>(m => m.CounterId == id && m.PreviousCount == 1));
        Assert.Empty(await host.OutboxRowsAsync());
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task Saga_harness_finds_stored_instances_by_id_and_state(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var sagaHarness = host.Harness.GetSagaStateMachineHarness<CounterStateMachine, CounterSaga>();
        var id = NewId.NextGuid();

        await host.Harness.Bus.Publish(new StartCounter(id));

        Assert.NotNull(await sagaHarness.Exists(id, machine => machine.Counting));
        Assert.Equal([id], await sagaHarness.Match(x => x.CorrelationId == id && x.Count == 0));
        Assert.Equal([id], await sagaHarness.Exists(x => x.CorrelationId == id, machine => machine.Counting));
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task The_next_message_of_a_saga_uses_what_this_process_committed_without_reading_it_back(string dialect)
    {
        var reads = new CountingInterceptor();
        await using var host = await SagaStoreTestHost.StartAsync(interceptor: reads, dialect: dialect);
        var id = NewId.NextGuid();
        await host.StartCounterAsync(id);
        reads.Reset();

        Assert.Equal(1, await host.PublishAndSettleAsync(new IncrementCounter(id), m => m.CounterId == id));
        Assert.Equal(2, await host.PublishAndSettleAsync(new IncrementCounter(id), m => m.CounterId == id, count: 2));

        Assert.Equal(0, reads.Selects);
        Assert.Equal(2, (await host.FindSagaAsync(id))?.Count);
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task A_row_another_process_changed_behind_this_process_is_read_again_and_nothing_is_lost(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var id = NewId.NextGuid();
        await host.StartCounterAsync(id);

        // Another orchestrator process counted to 10 meanwhile: this process still holds version 1.
        await host.WithDbContextAsync(db => db.Counters.Where(x => x.CorrelationId == id)
            .ExecuteUpdateAsync(x => x.SetProperty(c => c.Count, 10).SetProperty(c => c.Version, 2)));


        Assert.Equal(1, await host.PublishAndSettleAsync(new IncrementCounter(id), m => m.CounterId == id));
        var saga = await host.FindSagaAsync(id);
        Assert.Equal(11, saga?.Count);
        Assert.Equal(3, saga?.Version);
        Assert.Single(host.Harness.PublishedSoFar<CounterIncremented>(m => m.CounterId == id));
        Assert.Single(host.Harness.PublishedSoFar<CounterIncremented>(m => m.CounterId == id && m.Count == 11));
    }

    private sealed class CountingInterceptor : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        private int _selects;

        public int Selects => Volatile.Read(ref _selects);

        public void Reset() => Interlocked.Exchange(ref _selects, 0);

        public override ValueTask<System.Data.Common.DbDataReader> ReaderExecutedAsync(System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData eventData, System.Data.Common.DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("\"Counters\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _selects);
            }

            return base.ReaderExecutedAsync(command, eventData, result, cancellationToken);
        }
    }

    [Theory]
    [MemberData(nameof(SagaStoreTestHost.Dialects), MemberType = typeof(SagaStoreTestHost))]
    public async Task A_slow_delivery_holds_neither_the_consume_nor_the_order_of_the_sagas_later_messages(string dialect)
    {
        await using var host = await SagaStoreTestHost.StartAsync(dialect: dialect);
        var slow = new HoldFirstIncrement();
        using var observer = host.Harness.Bus.ConnectPublishObserver(slow);
        var id = NewId.NextGuid();
        await host.Harness.Bus.Publish(new StartCounter(id));
        await host.Harness.WaitForConsumedAsync<StartCounter>(m => m.CounterId == id);

        await host.Harness.Bus.Publish(new IncrementCounter(id));
        Assert.Equal(1, await host.Harness.WaitForConsumedAsync<IncrementCounter>(m => m.CounterId == id));
        await host.Harness.Bus.Publish(new IncrementCounter(id));

        // Both transitions committed and their consumes ended while the first one's event is still on its way...
        Assert.Equal(2, await host.Harness.WaitForConsumedAsync<IncrementCounter>(m => m.CounterId == id, count: 2));
        Assert.Equal(2, (await host.FindSagaAsync(id))?.Count);
        // ...and the second one's event waits behind it.
        Assert.Empty(host.Harness.PublishedSoFar<CounterIncremented>(m => m.CounterId == id));

        slow.Release();
        await host.DrainedAsync();
        Assert.Equal([1, 2], host.Harness.PublishedSoFar<CounterIncremented>(m => m.CounterId == id).Select(x => x.Context.Message.Count));
        Assert.Empty(await host.OutboxRowsAsync());
    }

    private sealed class HoldFirstIncrement : IPublishObserver
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        public Task PrePublish<T>(PublishContext<T> context)
            where T : class => context.Message is CounterIncremented { Count: 1 } ? _gate.Task : Task.CompletedTask;

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}
