using MassTransit;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

public sealed class SagaInstanceCacheTests
{
    [Fact]
    public void Keeps_the_most_recently_committed_instances_up_to_its_capacity()
    {
        var cache = new SagaInstanceCache<CounterSaga>(capacity: 2);
        var (a, b, c) = (Saga(), Saga(), Saga());

        cache.Put(a);
        cache.Put(b);
        cache.Put(a); // committed again: now the most recent
        cache.Put(c);

        Assert.Equal(2, cache.Count);
        Assert.False(cache.Contains(b.CorrelationId));
        Assert.True(cache.TryTake(a.CorrelationId, out var taken));
        Assert.Same(a, taken);
        Assert.True(cache.Contains(c.CorrelationId));
    }

    [Fact]
    public void After_a_conflict_the_cache_stands_aside_for_a_while_then_caches_again()
    {
        var time = new ManualTime();
        var cache = new SagaInstanceCache<CounterSaga>(capacity: 10, time);
        var (a, b) = (Saga(), Saga());
        cache.Put(a);

        cache.StandAside();
        cache.Put(b);

        Assert.False(cache.Trusted);
        Assert.False(cache.TryTake(a.CorrelationId, out _));
        Assert.False(cache.TryTake(b.CorrelationId, out _));

        time.Advance(SagaInstanceCache<CounterSaga>.StandAsidePeriod);
        cache.Put(b);

        Assert.True(cache.Trusted);
        Assert.True(cache.TryTake(b.CorrelationId, out _));
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _now = 1_000_000;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => _now;

        public void Advance(TimeSpan by) => _now += (long)by.TotalMilliseconds;
    }

    [Fact]
    public void A_taken_instance_is_gone_until_it_is_put_back()
    {
        var cache = new SagaInstanceCache<CounterSaga>(capacity: 10);
        var saga = Saga();
        cache.Put(saga);

        Assert.True(cache.TryTake(saga.CorrelationId, out _));
        Assert.False(cache.TryTake(saga.CorrelationId, out _));

        cache.Put(saga);
        cache.Remove(saga.CorrelationId);
        Assert.False(cache.Contains(saga.CorrelationId));
    }

    [Fact]
    public void Capacity_zero_keeps_nothing()
    {
        var cache = new SagaInstanceCache<CounterSaga>(capacity: 0);
        cache.Put(Saga());

        Assert.Equal(0, cache.Count);
    }

    private static CounterSaga Saga() => new() { CorrelationId = NewId.NextGuid(), Version = 1 };
}
