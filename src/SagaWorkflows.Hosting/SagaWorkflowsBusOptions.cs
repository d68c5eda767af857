using System.ComponentModel.DataAnnotations;

namespace SagaWorkflows.Hosting;

/// <summary>Bound from the <c>SagaWorkflows</c> configuration section.</summary>
public sealed class SagaWorkflowsBusOptions : IValidatableObject
{
    public const string SectionName = "SagaWorkflows";
    public const string DefaultRabbitMq = "amqp://guest:guest@localhost:5672/";

    /// <summary>The configuration key of <see cref="QueueType"/>.</summary>
    public const string QueueTypeKey = "SagaWorkflows:Bus:QueueType";

    /// <summary><c>RabbitMq</c> (every deployment) or <c>InMemory</c> (one process: tests, the demo).</summary>
    [EnumDataType(typeof(SagaWorkflowsTransport), ErrorMessage = "must be RabbitMq or InMemory")]
    public SagaWorkflowsTransport Transport { get; set; } = SagaWorkflowsTransport.RabbitMq;

    /// <summary>From <c>ConnectionStrings:RabbitMq</c>: an <c>amqp://</c> or <c>amqps://</c> URI; a vhost in the path is honoured.</summary>
    [ConfigurationKey("ConnectionStrings:RabbitMq", Secret = true)]
    public string RabbitMq { get; set; } = DefaultRabbitMq;

    /// <summary>Messages prefetched per consumer queue; the saga and tools are I/O bound.</summary>
    [Range(1, ushort.MaxValue, ErrorMessage = "must be between {1} and {2}")]
    public ushort PrefetchCount { get; set; } = 64;

    /// <summary>
    /// The type of every durable queue the bus declares for its endpoints (runs, scheduler, tool, compensation, AI and
    /// bridge queues and their error queues), and how product queues are addressed: <c>classic</c> (default) or
    /// <c>quorum</c>. Only meaningful on RabbitMQ. A queue's type is fixed when it is first declared: RabbitMQ refuses to
    /// redeclare it with another one.
    /// </summary>
    [ConfigurationKey(QueueTypeKey)]
    [EnumDataType(typeof(SagaWorkflowsQueueType), ErrorMessage = "must be classic or quorum")]
    public SagaWorkflowsQueueType QueueType { get; set; } = SagaWorkflowsQueueType.Classic;

    /// <summary>
    /// MassTransit (8.4+) reports anonymous usage telemetry to its vendor a few minutes after a bus starts. A
    /// SagaWorkflows process does not phone home unless its operator opts in: <c>SagaWorkflows__UsageTelemetry=true</c>.
    /// </summary>
    public bool UsageTelemetry { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Transport == SagaWorkflowsTransport.RabbitMq
            && !(Uri.TryCreate(RabbitMq, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" && uri.Host.Length > 0))
        {
            yield return new ValidationResult(
                "must be a RabbitMQ URI such as amqp://user:password@host:5672/vhost", [nameof(RabbitMq)]);
        }
    }
}
