using System.Diagnostics;
using MassTransit;

namespace SagaWorkflows.IntegrationTests.Scheduling;

public sealed record ReceivedProbe(
    string Label,
    Guid? MessageId,
    int RedeliveryCount,
    string? CustomHeader,
    Guid? OriginalMessageId,
    Guid? SchedulingTokenId,
    DateTimeOffset? FiredAt,
    DateTime? ExpirationTime,
    long ReceivedTimestamp)
{
    public const string CustomHeaderName = "X-SagaWorkflows-Test";

    public static ReceivedProbe From(ConsumeContext context, string label) => new(
        label,
        context.MessageId,
        context.GetRedeliveryCount(),
        context.Headers.Get<string>(CustomHeaderName),
        context.Headers.Get<Guid>(MessageHeaders.OriginalMessageId),
        context.GetSchedulingTokenId(),
        context.GetQuartzSent(),
        context.ExpirationTime,
        Stopwatch.GetTimestamp());
}

/// <summary>Collects what the probe consumers received and lets a test await a particular arrival.</summary>
public sealed class ProbeInbox
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedProbe> _received = [];
    private readonly List<(Func<ReceivedProbe, bool> Match, TaskCompletionSource<ReceivedProbe> Arrived)> _waiters = [];

    public IReadOnlyList<ReceivedProbe> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    public void Add(ReceivedProbe probe)
    {
        List<TaskCompletionSource<ReceivedProbe>> arrived = [];
        lock (_gate)
        {
            _received.Add(probe);
            foreach (var waiter in _waiters.Where(w => w.Match(probe)).ToList())
            {
                _waiters.Remove(waiter);
                arrived.Add(waiter.Arrived);
            }
        }

        foreach (var tcs in arrived)
        {
            tcs.TrySetResult(probe);
        }
    }

    public async Task<ReceivedProbe> WaitForAsync(Func<ReceivedProbe, bool> match, TimeSpan timeout)
    {
        var arrived = new TaskCompletionSource<ReceivedProbe>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_received.FirstOrDefault(match) is { } already)
            {
                return already;
            }

            _waiters.Add((match, arrived));
        }

        try
        {
            return await arrived.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No matching probe within {timeout}; received: [{string.Join(", ", Received.Select(r => r.Label))}]");
        }
    }
}

public sealed class ScheduledProbeConsumer(ProbeInbox inbox) : IConsumer<ScheduledProbe>
{
    public Task Consume(ConsumeContext<ScheduledProbe> context)
    {
        inbox.Add(ReceivedProbe.From(context, context.Message.Label));
        return Task.CompletedTask;
    }
}

public sealed class RedeliveryProbeConsumer(ProbeInbox inbox) : IConsumer<RedeliveryProbe>
{
    public async Task Consume(ConsumeContext<RedeliveryProbe> context)
    {
        inbox.Add(ReceivedProbe.From(context, context.Message.Id.ToString("N")));

        if (context.GetRedeliveryCount() == 0)
        {
            await context.Redeliver(TimeSpan.FromSeconds(1));
        }
    }
}
