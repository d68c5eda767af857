using System.Runtime.CompilerServices;
using System.Text;

namespace SagaWorkflows.WorkerSdk.Ai;

/// <summary>
/// Batches text deltas (a streamed model reply, often a token each) for <c>step-progress</c>: a batch is due when it
/// holds <c>characters</c> characters or when its first delta has waited <c>interval</c>, whichever comes first. Nothing
/// is dropped or reordered: the batches concatenated are the deltas concatenated.
/// </summary>
public sealed class ProgressCoalescer
{
    private readonly StringBuilder _pending = new();
    private readonly TimeSpan _interval;
    private readonly int _characters;
    private readonly TimeProvider _time;
    private long _firstPendingAt;

    public ProgressCoalescer(TimeSpan interval, int characters, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(characters, 1);
        ArgumentNullException.ThrowIfNull(time);
        _interval = interval;
        _characters = characters;
        _time = time;
    }

    /// <summary>Characters received and not yet handed out.</summary>
    public int PendingLength => _pending.Length;

    /// <summary>How long until the pending text is due by time; null when nothing is pending.</summary>
    public TimeSpan? DueIn => _pending.Length == 0 ? null : _interval - _time.GetElapsedTime(_firstPendingAt);

    /// <returns>The batch to publish now when this delta filled it (or the pending text is overdue), else null.</returns>
    public string? Add(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (delta.Length == 0)
        {
            return TakeIfDue();
        }

        if (_pending.Length == 0)
        {
            _firstPendingAt = _time.GetTimestamp();
        }

        _pending.Append(delta);
        return _pending.Length >= _characters ? Take() : TakeIfDue();
    }

    /// <returns>The pending text when its first character has waited the interval, else null.</returns>
    public string? TakeIfDue() => DueIn is { } due && due <= TimeSpan.Zero ? Take() : null;

    /// <returns>Whatever is pending (the reply ended), or null when nothing is.</returns>
    public string? Flush() => _pending.Length == 0 ? null : Take();

    private string Take()
    {
        var batch = _pending.ToString();
        _pending.Clear();
        return batch;
    }

    /// <summary>
    /// The batches of <paramref name="deltas"/> as they fall due, by size or by time (a timer of <paramref name="time"/>
    /// fires while the source is silent), and the rest when the source ends.
    /// </summary>
    public static async IAsyncEnumerable<string> CoalesceAsync(IAsyncEnumerable<string> deltas, TimeSpan interval, int characters,
        TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        var coalescer = new ProgressCoalescer(interval, characters, time);
        var source = deltas.GetAsyncEnumerator(cancellationToken);
        Task<bool>? next = null;
        try
        {
            while (true)
            {
                next ??= source.MoveNextAsync().AsTask();
                if (coalescer.DueIn is { } due && !next.IsCompleted)
                {
                    if (due > TimeSpan.Zero)
                    {
                        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        var timer = Task.Delay(due, time, wait.Token);
                        await Task.WhenAny(next, timer);
                        await wait.CancelAsync();
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    if (coalescer.TakeIfDue() is { } overdue)
                    {
                        yield return overdue;
                        continue;
                    }

                    if (!next.IsCompleted)
                    {
                        continue;
                    }
                }

                var more = await next;
                next = null;
                if (!more)
                {
                    break;
                }

                if (coalescer.Add(source.Current ?? "") is { } batch)
                {
                    yield return batch;
                }
            }

            if (coalescer.Flush() is { } rest)
            {
                yield return rest;
            }
        }
        finally
        {
            // An enumerator cannot be disposed while a MoveNextAsync is in flight: let it finish (it observes the token).
            if (next is { IsCompleted: false })
            {
                await Task.WhenAny(next);
            }

            await source.DisposeAsync();
        }
    }
}
