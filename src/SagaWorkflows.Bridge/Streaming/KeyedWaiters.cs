namespace SagaWorkflows.Bridge.Streaming;

/// <summary>
/// Callers waiting, each once, for a value that arrives later under a key (a run's next event, the orchestrator's
/// reply to a command): the arrival wakes them, so nothing polls. Register before causing what is awaited, so it
/// cannot arrive unseen in between.
/// </summary>
internal sealed class KeyedWaiters<TKey, TValue>
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, List<Waiter>> _byKey = [];

    /// <summary>
    /// Calls <paramref name="then"/> with the first value under <paramref name="key"/> that <paramref name="match"/>
    /// accepts, unless disposed first. It runs on the notifying thread, maybe under the notifier's locks: keep it short
    /// and non-blocking (completing a task source made with <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>).
    /// </summary>
    public IDisposable Add(TKey key, Func<TValue, bool> match, Action<TValue> then)
    {
        var waiter = new Waiter(this, key, match, then);
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var list))
            {
                _byKey[key] = list = [];
            }

            list.Add(waiter);
        }

        return waiter;
    }

    /// <summary>Wakes, and removes, every waiter under <paramref name="key"/> that accepts <paramref name="value"/>.</summary>
    public void Notify(TKey key, TValue value)
    {
        List<Waiter>? woken = null;
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var list))
            {
                return;
            }

            foreach (var waiter in list)
            {
                if (waiter.Match(value))
                {
                    (woken ??= []).Add(waiter);
                }
            }

            if (woken is null)
            {
                return;
            }

            list.RemoveAll(woken.Contains);
            if (list.Count == 0)
            {
                _byKey.Remove(key);
            }
        }

        foreach (var waiter in woken)
        {
            waiter.Then(value);
        }
    }

    private void Remove(Waiter waiter)
    {
        lock (_gate)
        {
            if (_byKey.TryGetValue(waiter.Key, out var list) && list.Remove(waiter) && list.Count == 0)
            {
                _byKey.Remove(waiter.Key);
            }
        }
    }

    private sealed class Waiter(KeyedWaiters<TKey, TValue> owner, TKey key, Func<TValue, bool> match, Action<TValue> then) : IDisposable
    {
        public TKey Key => key;

        public Func<TValue, bool> Match => match;

        public Action<TValue> Then => then;

        public void Dispose() => owner.Remove(this);
    }
}
