using System.Globalization;

namespace SagaWorkflows.Testing;

/// <summary>
/// Waits for what another thread or process does: checks every few milliseconds until a deadline, and
/// fails naming what did not happen. The one way tests wait; never a bare sleep.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <exception cref="TimeoutException"><paramref name="what"/> did not hold within <paramref name="timeout"/>.</exception>
    /// <param name="details">What to add to the failure (a host's output, the last answer), read when it fails.</param>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? details = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, details: details);

    /// <inheritdoc cref="UntilAsync(Func{bool}, TimeSpan, string, Func{string})"/>
    /// <param name="interval">Between checks; longer for a check that costs a query or a request (20 ms when null).</param>
    /// <remarks>A check may throw to fail at once (a host that exited will never get ready).</remarks>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null, Func<string>? details = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                var seconds = timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
                throw new TimeoutException(details is null ? $"{what}: not within {seconds} s" : $"{what}: not within {seconds} s\n{details()}");
            }

            await Task.Delay(interval ?? Interval);
        }
    }

    /// <summary>Reads <paramref name="probe"/> until its value is <paramref name="done"/>, and returns that value.</summary>
    /// <inheritdoc cref="UntilAsync(Func{bool}, TimeSpan, string, Func{string})"/>
    public static async Task<T> UntilAsync<T>(Func<T> probe, Func<T, bool> done, TimeSpan timeout, string what, Func<string>? details = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var value = probe();
        await UntilAsync(() => done(value = probe()), timeout, what, details);
        return value;
    }
}
