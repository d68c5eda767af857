using MassTransit.Testing;

namespace SagaWorkflows.Orchestration.Tests.Persistence;

internal static class HarnessExtensions
{
    private static readonly CancellationToken AlreadyCancelled = new(canceled: true);

    /// <summary>What the list holds right now, without waiting for more.</summary>
    public static List<IPublishedMessage<T>> PublishedSoFar<T>(this ITestHarness harness, Func<T, bool> filter)
        where T : class
    {
        return harness.Published.Select<T>(x => filter(x.Context.Message), AlreadyCancelled).ToList();
    }

    public static List<ISentMessage<T>> SentSoFar<T>(this ITestHarness harness, Func<T, bool> filter)
        where T : class
    {
        return harness.Sent.Select<T>(x => filter(x.Context.Message), AlreadyCancelled).ToList();
    }

    /// <summary>Waits (up to the harness timeouts) for <paramref name="count"/> successful consumes.</summary>
    public static async Task<int> WaitForConsumedAsync<T>(this ITestHarness harness, Func<T, bool> filter, int count = 1)
        where T : class
    {
        var seen = 0;
        await foreach (var _ in harness.Consumed.SelectAsync<T>(x => x.Exception is null && filter(x.Context.Message)))
        {
            if (++seen == count)
            {
                break;
            }
        }

        return seen;
    }

    public static async Task<List<IPublishedMessage<T>>> WaitForPublishedAsync<T>(this ITestHarness harness, Func<T, bool> filter, int count = 1)
        where T : class
    {
        List<IPublishedMessage<T>> found = [];
        await foreach (var message in harness.Published.SelectAsync<T>(x => filter(x.Context.Message)))
        {
            found.Add(message);
            if (found.Count == count)
            {
                break;
            }
        }

        return found;
    }
}
