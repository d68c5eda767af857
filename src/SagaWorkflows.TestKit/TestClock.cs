namespace SagaWorkflows.TestKit;

/// <summary>
/// The time the orchestrator sees in a <see cref="WorkflowTestKit"/>: the machine's clock plus an offset that only grows.
/// It runs like a real clock (so timestamps and durations stay meaningful), and the kit moves it forward to the next
/// timer whenever the system has nothing else to do, or when a test calls <see cref="WorkflowTestKit.AdvanceAsync"/>.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    /// <summary>How far this clock is ahead of the machine's.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock forward to <paramref name="instant"/>; an instant already past changes nothing.</summary>
    internal void MoveTo(DateTimeOffset instant)
    {
        while (true)
        {
            var offset = Interlocked.Read(ref _offsetTicks);
            var ahead = instant - System.GetUtcNow().AddTicks(offset);
            if (ahead <= TimeSpan.Zero || Interlocked.CompareExchange(ref _offsetTicks, offset + ahead.Ticks, offset) == offset)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The clock's instant for a time computed from the machine's clock (MassTransit computes a redelivery's time as
    /// <c>DateTime.UtcNow + delay</c>): the same delay from now on this clock.
    /// </summary>
    internal DateTimeOffset FromMachineTime(DateTime machineUtc) => new DateTimeOffset(machineUtc, TimeSpan.Zero).AddTicks(Interlocked.Read(ref _offsetTicks));
}
