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
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);

    /// <inheritdoc cref="UntilAsync(Func{bool}, TimeSpan, string)"/>
    /// <param name="interval">Between checks; longer for a check that costs a query or a request (20 ms when null).</param>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s");
            }

            await Task.Delay(interval ?? Interval);
        }
    }

    /// <summary>Reads <paramref name="probe"/> until its value is <paramref name="done"/>, and returns that value.</summary>
    /// <inheritdoc cref="UntilAsync(Func{bool}, TimeSpan, string)"/>
    public static async Task<T> UntilAsync<T>(Func<T> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var value = probe();
        await UntilAsync(() => done(value = probe()), timeout, what);
        return value;
    }
}
