namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// A message a saga transition wants to emit once its new state is committed.
/// </summary>
/// <param name="Message">The message; serialized with MassTransit's System.Text.Json options.</param>
/// <param name="MessageType">The type it is published or sent as (the message must be assignable to it, or round-trip to it through JSON).</param>
/// <param name="Destination">Null to publish, otherwise the address to send to (e.g. <c>queue:sagawf-tool-echo</c>).</param>
public sealed record OutboxItem(object Message, Type MessageType, Uri? Destination)
{
    /// <summary>How long the broker may hold the message before dropping it (a step command nobody took within its timeout); null keeps it.</summary>
    public TimeSpan? TimeToLive { get; init; }
}
