namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// A message a saga transition wants to emit once its new state is committed.
/// </summary>
/// <param name="Message">The message; serialized with MassTransit's System.Text.Json options.</param>
/// <param name="MessageType">The type it is published or sent as (the message must be assignable to it, or round-trip to it through JSON).</param>
/// <param name="Destination">Null to publish, otherwise the address to send to (e.g. <c>queue:sagawf-tool-echo</c>).</param>
/// <param name="TimeToLive">
/// How long the message stays useful, counted from the transition's commit. The outbox row keeps the resulting
/// expiration time; whichever path delivers the row sends it with the time that is left as its TimeToLive (so the
/// broker drops it when it expires in a queue), and a row found already expired is dropped instead of delivered.
/// </param>
/// <param name="DueAt">
/// UTC; for a send that must not arrive before then (a run's wake-up). The row is committed like any other, and
/// delivering it hands the message to the bus's message scheduler (Quartz on RabbitMQ, clustered on PostgreSQL)
/// instead of the destination, so nothing about it leaves before the state that asked for it is committed.
/// </param>
public sealed record OutboxItem(object Message, Type MessageType, Uri? Destination, TimeSpan? TimeToLive = null, DateTime? DueAt = null);
