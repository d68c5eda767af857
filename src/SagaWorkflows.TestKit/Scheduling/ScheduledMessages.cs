using MassTransit;
using Microsoft.Extensions.Logging;

namespace SagaWorkflows.TestKit.Scheduling;

/// <summary>
/// Every message scheduled in a test kit (retries' redeliveries, sleeps' and timeouts' wake-ups), held in memory until
/// the <see cref="TestClock"/> reaches its due time, then sent. A background pump sends what falls due as the clock
/// runs; the kit sends at once what falls due when it moves the clock.
/// </summary>
internal sealed partial class ScheduledMessages(TestClock clock) : IAsyncDisposable
{
    private readonly List<Entry> _entries = [];
    private readonly SemaphoreSlim _delivery = new(1, 1);
    private readonly SemaphoreSlim _changed = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stopping = new();
    private long _order;
    private int _delivering;
    private Task? _pump;
    private IBus? _bus;

    public ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>Raised on every send (for the activity monitor), before it goes out.</summary>
    public Action? Delivering { get; set; }

    public bool IsDelivering => Volatile.Read(ref _delivering) > 0;

    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The earliest due time held, or null.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count == 0 ? null : _entries[0].Due;
            }
        }
    }

    /// <summary>What is held, earliest first, for failure messages.</summary>
    public IReadOnlyList<string> Describe()
    {
        lock (_entries)
        {
            return _entries.Select(e => $"{e.Description} due {e.Due:O}").ToList();
        }
    }

    public void Start(IBus bus)
    {
        _bus = bus;
        _pump = Task.Run(PumpAsync);
    }

    public void Add(DateTimeOffset due, Guid tokenId, string description, Func<IBus, CancellationToken, Task> send)
    {
        lock (_entries)
        {
            var entry = new Entry(due, Interlocked.Increment(ref _order), tokenId, description, send);
            var index = _entries.FindIndex(e => e.Due > due);
            _entries.Insert(index < 0 ? _entries.Count : index, entry);
        }

        _changed.Release();
    }

    public void Cancel(Guid tokenId)
    {
        lock (_entries)
        {
            _entries.RemoveAll(e => e.TokenId == tokenId);
        }
    }

    /// <summary>Wakes the pump after the clock moved.</summary>
    public void ClockMoved() => _changed.Release();

    /// <summary>Sends, in due order, every message due by the clock's now; returns how many.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        if (_bus is null)
        {
            return 0;
        }

        Interlocked.Increment(ref _delivering);
        try
        {
            await _delivery.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var delivered = 0;
                while (TakeNextDue() is { } entry)
                {
                    Delivering?.Invoke();
                    try
                    {
                        await entry.Send(_bus, cancellationToken).ConfigureAwait(false);
                        delivered++;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogSendFailed(Logger, ex, entry.Description);
                    }
                }

                return delivered;
            }
            finally
            {
                _delivery.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _delivering);
        }
    }

    private Entry? TakeNextDue()
    {
        var now = clock.GetUtcNow();
        lock (_entries)
        {
            if (_entries.Count == 0 || _entries[0].Due > now)
            {
                return null;
            }

            var entry = _entries[0];
            _entries.RemoveAt(0);
            return entry;
        }
    }

    private async Task PumpAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(token).ConfigureAwait(false);
                var wait = NextDue is { } due ? due - clock.GetUtcNow() : TimeSpan.FromSeconds(1);
                wait = wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
                await _changed.WaitAsync(wait, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(false);
        }

        _stopping.Dispose();
        _delivery.Dispose();
        _changed.Dispose();
    }

    private sealed record Entry(DateTimeOffset Due, long Order, Guid TokenId, string Description, Func<IBus, CancellationToken, Task> Send);

    [LoggerMessage(Level = LogLevel.Error, Message = "The test kit could not send the scheduled {Message}")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string message);
}
