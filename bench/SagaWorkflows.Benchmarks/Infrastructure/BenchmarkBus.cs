using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Courier.Contracts;
using SagaWorkflows.Benchmarks.Messages;
using SagaWorkflows.Benchmarks.Workflows;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Benchmarks.Infrastructure;

/// <summary>
/// The benchmark process's own bus: it hosts the raw baselines (a trivial request consumer, a no-op Courier
/// activity) and observes the lifecycle events of the runs it starts.
/// </summary>
public sealed class BenchmarkBus : IAsyncDisposable
{
    /// <summary>The worker SDK's default ConcurrencyPerTool, so the baselines' consumers get what the echo tool gets.</summary>
    public const int ConsumerConcurrency = 16;

    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<bool>> _slips = new();
    private IBusControl _bus = null!;

    private BenchmarkBus()
    {
    }

    public IBus Bus => _bus;
    public RunObserver Runs { get; } = new();
    public Uri EchoAddress { get; private set; } = null!;
    public Uri NoopActivityAddress { get; private set; } = null!;
    public Uri SlipEventsAddress { get; private set; } = null!;
    public Uri ProbeAddress { get; private set; } = null!;

    public static async Task<BenchmarkBus> StartAsync(Uri broker, ushort prefetch, CancellationToken cancellationToken)
    {
        var bus = new BenchmarkBus();
        bus._bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker);
            cfg.PrefetchCount = prefetch;

            cfg.ReceiveEndpoint("bench-echo", e =>
            {
                bus.EchoAddress = e.InputAddress;
                e.ConcurrentMessageLimit = ConsumerConcurrency;
                e.Handler<Ping>(c => c.RespondAsync(new Pong { Id = c.Message.Id, Payload = c.Message.Payload }));
            });
            cfg.ReceiveEndpoint("bench-noop_execute", e =>
            {
                bus.NoopActivityAddress = e.InputAddress;
                e.ConcurrentMessageLimit = ConsumerConcurrency;
                e.ExecuteActivityHost<NoopActivity, NoopArguments>(() => new NoopActivity());
            });
            cfg.ReceiveEndpoint("bench-slip-events", e =>
            {
                bus.SlipEventsAddress = e.InputAddress;
                e.Handler<RoutingSlipCompleted>(c => bus.SlipEndedAsync(c.Message.TrackingNumber, true));
                e.Handler<RoutingSlipFaulted>(c => bus.SlipEndedAsync(c.Message.TrackingNumber, false));
                e.Handler<RoutingSlipCompensationFailed>(c => bus.SlipEndedAsync(c.Message.TrackingNumber, false));
            });
            cfg.ReceiveEndpoint("bench-probe", e =>
            {
                bus.ProbeAddress = e.InputAddress;
                e.Handler<ConfirmProbe>(_ => Task.CompletedTask);
            });
            // The benchmark reads the events where the SSE bridge would: from the bridge's queue, which the
            // orchestrator also declares. A queue of its own would leave the bridge's queue filling up unread,
            // making the broker persist every event twice.
            cfg.ReceiveEndpoint(QueueNames.Bridge, e =>
            {
                // Every step produces two events: this queue must never be what slows the runs down.
                e.PrefetchCount = 1000;
                e.ConcurrentMessageLimit = 64;
                e.Handler<WorkflowLifecycleEvent>(c =>
                {
                    bus.Runs.Observe(c.Message);
                    return Task.CompletedTask;
                });
            });
        });

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await bus._bus.StartAsync(timeout.Token);
        return bus;
    }

    /// <summary>Completes with true when the routing slip completed, false when it faulted.</summary>
    public Task<bool> WhenSlipEndsAsync(Guid trackingNumber) =>
        _slips.GetOrAdd(trackingNumber, static _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void ForgetSlip(Guid trackingNumber) => _slips.TryRemove(trackingNumber, out _);

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _bus.StopAsync(timeout.Token);
        }
    }

    private Task SlipEndedAsync(Guid trackingNumber, bool completed)
    {
        if (_slips.TryGetValue(trackingNumber, out var slip))
        {
            slip.TrySetResult(completed);
        }

        return Task.CompletedTask;
    }
}
