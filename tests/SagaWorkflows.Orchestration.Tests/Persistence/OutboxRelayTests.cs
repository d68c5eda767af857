using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

public sealed class OutboxRelayTests
{
    private static readonly DateTime LongAgo = DateTime.UtcNow.AddMinutes(-1);

    [Fact]
    public async Task Relay_delivers_rows_left_behind_in_order_and_deletes_them()
    {
        var sagaId = NewId.NextGuid();
        // Written in reverse so that the order can only come from (CreatedAt, Sequence).
        var rows = Enumerable.Range(0, 3).Reverse()
            .Select(i => OutboxMessage.Create(sagaId, Publish(new LeftBehind(sagaId, i, Json($$"""{ "n": {{i}}, "tags": ["a", "b"] }"""))), LongAgo, i))
            .Append(OutboxMessage.Create(sagaId, new OutboxItem(new AuditCounter(sagaId, "relayed"), typeof(AuditCounter), CounterStateMachine.AuditAddress), LongAgo, 3))
            .ToList();
        // Still within RelayAge: its consume may be delivering it right now.
        var young = OutboxMessage.Create(sagaId, Publish(new LeftBehind(sagaId, 99, Json("{}"))), DateTime.UtcNow.AddMinutes(1));

        await using var host = await SagaStoreTestHost.StartAsync(
            relay: o =>
            {
                o.RelayInterval = TimeSpan.FromMilliseconds(100);
                o.RelayAge = TimeSpan.FromSeconds(30);
            },
            seed: async db =>
            {
                db.Outbox.AddRange(rows);
                db.Outbox.Add(young);
                await db.SaveChangesAsync();
            });

        var published = await host.Harness.WaitForPublishedAsync<LeftBehind>(m => m.CounterId == sagaId, 3);

        Assert.Equal([0, 1, 2], published.Select(x => x.Context.Message.Order));
        Assert.Equal(rows.Where(r => r.Destination is null).OrderBy(r => r.Sequence).Select(r => r.Id), published.Select(x => x.Context.MessageId!.Value));
        Assert.All(published, x =>
        {
            Assert.Equal(x.Context.Message.Order, x.Context.Message.Payload.GetProperty("n").GetInt32());
            Assert.Equal("b", x.Context.Message.Payload.GetProperty("tags")[1].GetString());
        });
        Assert.True(await host.Harness.Sent.Any<AuditCounter>(x => x.Context.Message.CounterId == sagaId && x.Context.Message.Action == "relayed"));

        // Waits for the hosted pass in progress; everything old enough is gone by then, so nothing is sent twice.
        Assert.Equal(0, await host.Services.GetRequiredService<OutboxRelay<CounterDbContext>>().RelayPendingAsync());
        Assert.Equal(young.Id, Assert.Single(await host.OutboxRowsAsync()).Id);
        Assert.Equal(3, host.Harness.PublishedSoFar<LeftBehind>(m => m.CounterId == sagaId).Count);
    }

    [Fact]
    public async Task Relay_holds_a_sagas_later_messages_behind_one_it_cannot_deliver()
    {
        var blockedSaga = NewId.NextGuid();
        var otherSaga = NewId.NextGuid();
        var unknownType = OutboxMessage.Create(blockedSaga, Publish(new CounterStarted(blockedSaga)), LongAgo, 0);
        unknownType.MessageType = "SagaWorkflows.Gone.RemovedEvent, SagaWorkflows.Gone";
        var behindIt = OutboxMessage.Create(blockedSaga, Publish(new CounterIncremented(blockedSaga, 1)), LongAgo, 1);
        var other = OutboxMessage.Create(otherSaga, Publish(new CounterIncremented(otherSaga, 7)), LongAgo, 0);

        await using var host = await SagaStoreTestHost.StartAsync(
            relay: o => o.RelayInterval = TimeSpan.FromHours(1),
            seed: async db =>
            {
                db.Outbox.AddRange(unknownType, behindIt, other);
                await db.SaveChangesAsync();
            });
        var relay = host.Services.GetRequiredService<OutboxRelay<CounterDbContext>>();

        await relay.RelayPendingAsync();

        Assert.True(await host.Harness.Published.Any<CounterIncremented>(x => x.Context.Message.CounterId == otherSaga));
        Assert.Empty(host.Harness.PublishedSoFar<CounterIncremented>(m => m.CounterId == blockedSaga));
        Assert.Equal(new[] { unknownType.Id, behindIt.Id }.Order(), (await host.OutboxRowsAsync()).Select(x => x.Id).Order());
    }

    [Fact]
    public async Task Relay_sends_what_is_left_of_a_time_to_live_and_drops_a_message_that_expired_in_the_outbox()
    {
        var sagaId = NewId.NextGuid();
        var fresh = OutboxMessage.Create(sagaId, new OutboxItem(new AuditCounter(sagaId, "fresh"), typeof(AuditCounter), CounterStateMachine.AuditAddress,
            TimeSpan.FromMinutes(10)), LongAgo, 0);
        var expired = OutboxMessage.Create(sagaId, new OutboxItem(new AuditCounter(sagaId, "expired"), typeof(AuditCounter), CounterStateMachine.AuditAddress,
            TimeSpan.FromSeconds(1)), LongAgo, 1);
        var after = OutboxMessage.Create(sagaId, Publish(new CounterIncremented(sagaId, 1)), LongAgo, 2);

        await using var host = await SagaStoreTestHost.StartAsync(
            relay: o => o.RelayInterval = TimeSpan.FromHours(1),
            seed: async db =>
            {
                db.Outbox.AddRange(fresh, expired, after);
                await db.SaveChangesAsync();
            });
        var relay = host.Services.GetRequiredService<OutboxRelay<CounterDbContext>>();

        await relay.RelayPendingAsync();

        // LongAgo + 10 min: about 9 minutes are left.
        var sent = Assert.Single(await host.Harness.Sent.SelectAsync<AuditCounter>(x => x.Context.Message.CounterId == sagaId).Take(1).ToListAsync());
        Assert.Equal("fresh", sent.Context.Message.Action);
        Assert.InRange(sent.Context.TimeToLive!.Value, TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(9));
        Assert.True(await host.Harness.Published.Any<CounterIncremented>(x => x.Context.Message.CounterId == sagaId));
        Assert.Empty(host.Harness.SentSoFar<AuditCounter>(m => m.CounterId == sagaId && m.Action == "expired"));
        // The expired row is gone as if delivered; it does not hold the saga's later messages.
        Assert.Empty(await host.AllOutboxRowsAsync());
    }

    private static OutboxItem Publish<T>(T message)
        where T : class => new(message, typeof(T), null);

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
