namespace SagaWorkflows.Benchmarks.Messages;

/// <summary>The raw request/response baseline's request: about the size of a small step input.</summary>
public sealed record Ping
{
    public Guid Id { get; init; }
    public string Payload { get; init; } = "";
}

public sealed record Pong
{
    public Guid Id { get; init; }
    public string Payload { get; init; } = "";
}

/// <summary>The arguments of one no-op Courier activity.</summary>
public sealed record NoopArguments
{
    public int Index { get; init; }
    public string Payload { get; init; } = "";
}

/// <summary>Sent to a queue with a discarding consumer, to time the broker's publisher confirms alone.</summary>
public sealed record ConfirmProbe
{
    public Guid Id { get; init; }
    public string Payload { get; init; } = "";
}
