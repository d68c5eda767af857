using SagaWorkflows.Testing;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>
/// Waits for a condition another thread makes true (a consumer, a disconnect) with the shared <see cref="Poll"/>,
/// with this project's default timeout: never a fixed sleep.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Task TrueAsync(Func<bool> condition, string description, TimeSpan? timeout = null) =>
        Poll.UntilAsync(condition, timeout ?? DefaultTimeout, description);

    public static Task TrueAsync(Func<Task<bool>> condition, string description, TimeSpan? timeout = null) =>
        Poll.UntilAsync(condition, timeout ?? DefaultTimeout, description);
}
