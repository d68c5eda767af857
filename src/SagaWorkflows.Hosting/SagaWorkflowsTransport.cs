namespace SagaWorkflows.Hosting;

/// <summary>Which MassTransit transport a SagaWorkflows process uses.</summary>
public enum SagaWorkflowsTransport
{
    /// <summary>RabbitMQ at <c>ConnectionStrings:RabbitMq</c>: every real deployment.</summary>
    RabbitMq,

    /// <summary>MassTransit's in-memory transport: the embedded demo, everything in one process.</summary>
    InMemory,
}
