namespace SagaWorkflows.Orchestration.Persistence;

public static class DurableSagaExtensions
{
    /// <summary>Publishes <paramref name="message"/> as <typeparamref name="T"/> once the transition commits.</summary>
    public static void EnqueuePublish<T>(this IDurableSaga saga, T message)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(saga);
        ArgumentNullException.ThrowIfNull(message);

        saga.PendingMessages.Add(new OutboxItem(message, typeof(T), null));
    }

    /// <summary>Sends <paramref name="message"/> as <typeparamref name="T"/> to <paramref name="destination"/> once the transition commits.</summary>
    /// <param name="timeToLive">How long the message stays useful from the commit on (see <see cref="OutboxItem.TimeToLive"/>); null: for ever.</param>
    public static void EnqueueSend<T>(this IDurableSaga saga, Uri destination, T message, TimeSpan? timeToLive = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(saga);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(message);

        saga.PendingMessages.Add(new OutboxItem(message, typeof(T), destination, timeToLive));
    }
}
