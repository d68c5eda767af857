using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using SagaWorkflows.Testing;
using SagaWorkflows.WorkerSdk.Ai;

namespace SagaWorkflows.Orchestration.Tests.Workers;

/// <summary>
/// How a streamed step's deltas become <c>step-progress</c> batches: by size or by time, whichever first, on a fake clock;
/// the batches concatenated are always the deltas concatenated.
/// </summary>
public sealed class ProgressCoalescerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void A_batch_is_due_when_it_reaches_the_size()
    {
        var time = new FakeTimeProvider();
        var coalescer = new ProgressCoalescer(Interval, characters: 10, time);

        Assert.Null(coalescer.Add("abcd"));
        Assert.Null(coalescer.Add("efgh"));
        Assert.Equal("abcdefghij", coalescer.Add("ij"));
        Assert.Equal(0, coalescer.PendingLength);
        Assert.Null(coalescer.DueIn);
        Assert.Equal("a long delta over the size", coalescer.Add("a long delta over the size"));
    }

    [Fact]
    public void A_batch_is_due_when_its_first_delta_has_waited_the_interval()
    {
        var time = new FakeTimeProvider();
        var coalescer = new ProgressCoalescer(Interval, characters: 200, time);

        Assert.Null(coalescer.Add("Once "));
        time.Advance(TimeSpan.FromMilliseconds(60));
        Assert.Null(coalescer.Add("upon "));
        Assert.Equal(TimeSpan.FromMilliseconds(40), coalescer.DueIn);
        Assert.Null(coalescer.TakeIfDue());

        // The interval counts from the first pending delta, not the last: a steady trickle still goes out every 100 ms.
        time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Equal("Once upon ", coalescer.TakeIfDue());
        Assert.Null(coalescer.DueIn);

        Assert.Null(coalescer.Add("a "));
        time.Advance(Interval);
        Assert.Equal("a time", coalescer.Add("time"));
        Assert.Null(coalescer.Flush());
    }

    [Fact]
    public void Batches_concatenated_are_the_input_for_any_mix_of_sizes_and_pauses()
    {
        var time = new FakeTimeProvider();
        var coalescer = new ProgressCoalescer(Interval, characters: 16, time);
        var random = new Random(19);
        var input = new List<string>();
        var batches = new List<string>();
        for (var i = 0; i < 500; i++)
        {
            var delta = new string((char)('a' + (i % 26)), random.Next(0, 9));
            input.Add(delta);
            time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 60)));
            if (coalescer.TakeIfDue() is { } byTime)
            {
                batches.Add(byTime);
            }

            if (coalescer.Add(delta) is { } batch)
            {
                batches.Add(batch);
            }
        }

        if (coalescer.Flush() is { } rest)
        {
            batches.Add(rest);
        }

        Assert.Equal(string.Concat(input), string.Concat(batches));
        Assert.All(batches, b => Assert.NotEmpty(b));
        Assert.True(batches.Count < input.Count / 2, $"{batches.Count} batches for {input.Count} deltas: not coalesced");
    }

    [Fact]
    public async Task A_source_faster_than_the_clock_is_batched_by_size_and_the_rest_flushed_at_its_end()
    {
        var time = new FakeTimeProvider();
        var deltas = Enumerable.Repeat("abc", 10).ToAsyncEnumerable();

        var batches = await ProgressCoalescer.CoalesceAsync(deltas, Interval, characters: 10, time).ToListAsync();

        // A batch goes out whole once it reaches the size: deltas are never split.
        Assert.Equal(["abcabcabcabc", "abcabcabcabc", "abcabc"], batches);
    }

    [Fact]
    public async Task A_silent_source_has_its_pending_text_published_when_the_interval_passes()
    {
        var time = new FakeTimeProvider();
        var source = Channel.CreateUnbounded<string>();
        await using var batches = ProgressCoalescer.CoalesceAsync(source.Reader.ReadAllAsync(), Interval, characters: 200, time).GetAsyncEnumerator();
        var first = batches.MoveNextAsync().AsTask();
        await source.Writer.WriteAsync("Hel");
        await source.Writer.WriteAsync("lo");

        // The model says nothing more for a while: the clock alone lets the text out.
        await Poll.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            return first.IsCompleted;
        }, TimeSpan.FromSeconds(30), "the pending text published by time");
        Assert.True(await first);
        Assert.Equal("Hello", batches.Current);

        var second = batches.MoveNextAsync().AsTask();
        await source.Writer.WriteAsync(", world");
        source.Writer.Complete();
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(", world", batches.Current);
        Assert.False(await batches.MoveNextAsync());
    }
}
