namespace SagaWorkflows.Hosting;

/// <summary>Bound from the <c>SagaWorkflows</c> configuration section.</summary>
public sealed class SagaWorkflowsBusOptions
{
    public const string DefaultRabbitMq = "amqp://guest:guest@localhost:5672/";

    public SagaWorkflowsTransport Transport { get; set; } = SagaWorkflowsTransport.RabbitMq;

    /// <summary>From <c>ConnectionStrings:RabbitMq</c>.</summary>
    public string RabbitMq { get; set; } = DefaultRabbitMq;

    /// <summary>Messages prefetched per consumer queue; the saga and tools are I/O bound.</summary>
    public ushort PrefetchCount { get; set; } = 64;

    /// <summary>
    /// MassTransit (8.4+) reports anonymous usage telemetry to its vendor a few minutes after a bus starts. A
    /// SagaWorkflows process does not phone home unless its operator opts in: <c>SagaWorkflows__UsageTelemetry=true</c>.
    /// </summary>
    public bool UsageTelemetry { get; set; }
}
