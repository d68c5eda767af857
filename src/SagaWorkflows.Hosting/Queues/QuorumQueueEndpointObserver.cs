using MassTransit;
using MassTransit.RabbitMqTransport.Configuration;

namespace SagaWorkflows.Hosting.Queues;

/// <summary>
/// Makes every durable receive endpoint of the bus a quorum queue, whoever configures it (the saga, the scheduler,
/// the worker's tool, compensation and AI queues, the bridge). MassTransit's error and skipped queues copy their
/// endpoint's queue arguments, so they are quorum queues too. Temporary endpoints (auto-delete or exclusive: the
/// bus's own reply queue, a CLI's or a test's observer) cannot be quorum queues and stay classic.
/// </summary>
internal sealed class QuorumQueueEndpointObserver : IEndpointConfigurationObserver
{
    public void EndpointConfigured<T>(T configurator)
        where T : IReceiveEndpointConfigurator
    {
        if (configurator is IRabbitMqReceiveEndpointConfiguration { Settings: { Durable: true, AutoDelete: false, Exclusive: false } }
            && configurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
        }
    }
}
