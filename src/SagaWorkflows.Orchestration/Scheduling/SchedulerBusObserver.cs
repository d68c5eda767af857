using MassTransit;
using Quartz;

namespace SagaWorkflows.Orchestration.Scheduling;

/// <summary>
/// Starts Quartz once the bus is ready and pauses it when the bus stops: every job sends through the
/// bus, so a trigger fired before it is connected (or after it is gone) would fail its send.
/// </summary>
/// <remarks>
/// Shutting Quartz down is left to its hosted service, which waits for running sends; doing it here
/// would also make a stopped bus impossible to start again.
/// </remarks>
internal sealed class SchedulerBusObserver(ISchedulerFactory schedulerFactory) : IBusObserver
{
    private IScheduler? _scheduler;

    public void PostCreate(IBus bus)
    {
    }

    public void CreateFaulted(Exception exception)
    {
    }

    public Task PreStart(IBus bus) => Task.CompletedTask;

    public async Task PostStart(IBus bus, Task<BusReady> busReady)
    {
        await busReady;

        _scheduler = await schedulerFactory.GetScheduler();
        if (_scheduler.Status is SchedulerStatus.Created or SchedulerStatus.Standby)
        {
            await _scheduler.Start();
        }
    }

    public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;

    public async Task PreStop(IBus bus)
    {
        // Not through the factory: when Quartz's hosted service stops first, the factory refuses to
        // hand back the scheduler it has already shut down.
        if (_scheduler is { Status: SchedulerStatus.Running })
        {
            await _scheduler.Standby();
        }
    }

    public Task PostStop(IBus bus) => Task.CompletedTask;

    public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
}
