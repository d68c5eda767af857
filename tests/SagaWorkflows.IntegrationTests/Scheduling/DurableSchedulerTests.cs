using System.Diagnostics;
using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Orchestration.Scheduling;

namespace SagaWorkflows.IntegrationTests.Scheduling;

/// <summary>
/// The durable scheduler against the real broker on localhost:5672 (build/ensure-rabbitmq.sh starts it).
/// </summary>
public sealed class DurableSchedulerTests : IAsyncLifetime
{
    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(10);

    private readonly SchedulerTestNames _names = new();
    private readonly ProbeInbox _inbox = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _names.CleanUpAsync();

    [Fact]
    public async Task A_scheduled_message_arrives_after_its_delay_with_its_message_id_and_headers()
    {
        await using var host = await SchedulerTestHost.StartAsync(_names, _inbox);
        using var scope = host.Services.CreateScope();
        var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
        var messageId = NewId.NextGuid();

        var started = Stopwatch.GetTimestamp();
        var expires = DateTime.UtcNow.AddMinutes(5);
        var scheduled = await scheduler.ScheduleSend(_names.ProbeAddress, DateTime.UtcNow.AddSeconds(1), new ScheduledProbe { Label = "delayed" },
            Pipe.Execute<SendContext<ScheduledProbe>>(context =>
            {
                context.MessageId = messageId;
                context.Headers.Set(ReceivedProbe.CustomHeaderName, "kept");
                context.TimeToLive = expires - DateTime.UtcNow;
            }));

        var received = await _inbox.WaitForAsync(r => r.Label == "delayed", ArrivalTimeout);

        Assert.True(Stopwatch.GetElapsedTime(started, received.ReceivedTimestamp) >= TimeSpan.FromSeconds(1),
            $"arrived after {Stopwatch.GetElapsedTime(started, received.ReceivedTimestamp)}");
        Assert.Equal(messageId, received.MessageId);
        Assert.Equal("kept", received.CustomHeader);
        Assert.Equal(scheduled.TokenId, received.SchedulingTokenId);
        Assert.NotNull(received.ExpirationTime);
        Assert.InRange(received.ExpirationTime.Value, expires.AddSeconds(-2), expires.AddSeconds(2));
    }

    [Fact]
    public async Task A_redelivered_message_comes_back_through_the_scheduler_with_its_redelivery_count_and_headers()
    {
        await using var host = await SchedulerTestHost.StartAsync(_names, _inbox);
        var scheduleMessages = new ScheduleMessageObserver();
        using var observer = host.Bus.ConnectConsumeMessageObserver(scheduleMessages);
        var id = Guid.NewGuid();
        var label = id.ToString("N");
        var messageId = NewId.NextGuid();

        var endpoint = await host.Bus.GetSendEndpoint(_names.ProbeAddress);
        await endpoint.Send(new RedeliveryProbe { Id = id }, context =>
        {
            context.MessageId = messageId;
            context.Headers.Set(ReceivedProbe.CustomHeaderName, "kept");
        });

        var first = await _inbox.WaitForAsync(r => r.Label == label && r.RedeliveryCount == 0, ArrivalTimeout);
        var redelivered = await _inbox.WaitForAsync(r => r.Label == label && r.RedeliveryCount == 1, ArrivalTimeout);
        var schedule = await scheduleMessages.Consumed.WaitAsync(ArrivalTimeout);

        Assert.True(Stopwatch.GetElapsedTime(first.ReceivedTimestamp, redelivered.ReceivedTimestamp) >= TimeSpan.FromSeconds(1),
            $"redelivered after {Stopwatch.GetElapsedTime(first.ReceivedTimestamp, redelivered.ReceivedTimestamp)}");
        Assert.Equal("kept", redelivered.CustomHeader);
        // Redeliver() gives the copy a fresh id and keeps the original in MT-OriginalMessageId; the
        // scheduler's part is to send the copy under exactly the id and headers it was given.
        Assert.Equal(schedule.MessageId, redelivered.MessageId);
        Assert.Equal(messageId, redelivered.OriginalMessageId);
    }

    [Fact]
    public async Task A_cancelled_message_is_never_sent()
    {
        await using var host = await SchedulerTestHost.StartAsync(_names, _inbox);
        using var scope = host.Services.CreateScope();
        var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();

        // Six seconds of slack: the cancel travels over the bus, and a scheduler endpoint slow to consume it (a
        // loaded 2-core CI box) must not turn into a cancel that arrives after the message was already sent.
        var cancelled = await scheduler.ScheduleSend(_names.ProbeAddress, DateTime.UtcNow.AddSeconds(6), new ScheduledProbe { Label = "cancelled" });
        await scheduler.CancelScheduledSend(_names.ProbeAddress, cancelled.TokenId);

        // Due after the cancelled one and sent to the same queue: had the cancel failed, "cancelled" would be in first.
        await scheduler.ScheduleSend(_names.ProbeAddress, DateTime.UtcNow.AddSeconds(7), new ScheduledProbe { Label = "control" });
        await _inbox.WaitForAsync(r => r.Label == "control", ArrivalTimeout);

        Assert.DoesNotContain(_inbox.Received, r => r.Label == "cancelled");
        Assert.Null(await (await host.QuartzAsync()).GetTrigger(ScheduledMessageJob.TriggerKeyFor(cancelled.TokenId)));
    }

    [Fact]
    public async Task Scheduling_the_same_token_again_replaces_the_earlier_schedule()
    {
        await using var host = await SchedulerTestHost.StartAsync(_names, _inbox);
        var schedulerEndpoint = await host.Bus.GetSendEndpoint(_names.SchedulerAddress);
        var tokenId = NewId.NextGuid();

        ScheduleMessage Schedule(string label, double seconds, Guid token) => new ScheduleMessageCommand<ScheduledProbe>(
            DateTime.UtcNow.AddSeconds(seconds), _names.ProbeAddress, new ScheduledProbe { Label = label }, token);

        // Far out, then brought forward: only a replaced trigger explains "replacement" arriving and
        // nothing being left under the token afterwards.
        await schedulerEndpoint.Send(Schedule("original", 60, tokenId));
        await schedulerEndpoint.Send(Schedule("replacement", 1, tokenId));
        await schedulerEndpoint.Send(Schedule("control", 2, NewId.NextGuid()));

        await _inbox.WaitForAsync(r => r.Label == "control", ArrivalTimeout);

        Assert.Equal(["control", "replacement"], _inbox.Received.Select(r => r.Label).Order());
        Assert.Null(await (await host.QuartzAsync()).GetTrigger(ScheduledMessageJob.TriggerKeyFor(tokenId)));
    }

    [Fact]
    public async Task A_message_scheduled_before_a_restart_is_sent_by_the_next_host_on_the_same_store()
    {
        var messageId = NewId.NextGuid();
        DateTimeOffset firstStoppedAt;

        await using (var first = await SchedulerTestHost.StartAsync(_names, _inbox, withProbeConsumers: false))
        {
            var stored = new ScheduleMessageObserver();
            using var observer = first.Bus.ConnectConsumeMessageObserver(stored);

            using var scope = first.Services.CreateScope();
            var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
            await scheduler.ScheduleSend(_names.ProbeAddress, DateTime.UtcNow.AddSeconds(3), new ScheduledProbe { Label = "survivor" },
                Pipe.Execute<SendContext<ScheduledProbe>>(context => context.MessageId = messageId));

            await stored.Consumed.WaitAsync(ArrivalTimeout);
            await first.StopAsync();
            firstStoppedAt = DateTimeOffset.UtcNow;
        }

        await using var second = await SchedulerTestHost.StartAsync(_names, _inbox);
        var received = await _inbox.WaitForAsync(r => r.Label == "survivor", ArrivalTimeout);

        Assert.Equal(messageId, received.MessageId);
        // Fired by the second host's Quartz from the stored trigger, not sent by the first before it stopped.
        Assert.True(received.FiredAt >= firstStoppedAt, $"fired at {received.FiredAt:O}, first host stopped at {firstStoppedAt:O}");
    }

    /// <summary>Completes once the scheduler endpoint has consumed (stored) a <see cref="ScheduleMessage"/>.</summary>
    private sealed class ScheduleMessageObserver : IConsumeMessageObserver<ScheduleMessage>
    {
        private readonly TaskCompletionSource<ConsumeContext<ScheduleMessage>> _consumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ConsumeContext<ScheduleMessage>> Consumed => _consumed.Task;

        public Task PreConsume(ConsumeContext<ScheduleMessage> context) => Task.CompletedTask;

        public Task PostConsume(ConsumeContext<ScheduleMessage> context)
        {
            _consumed.TrySetResult(context);
            return Task.CompletedTask;
        }

        public Task ConsumeFault(ConsumeContext<ScheduleMessage> context, Exception exception)
        {
            _consumed.TrySetException(exception);
            return Task.CompletedTask;
        }
    }
}
