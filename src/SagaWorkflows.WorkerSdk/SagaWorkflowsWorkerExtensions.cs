using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Hosting;
using SagaWorkflows.WorkerSdk.Ai;
using SagaWorkflows.WorkerSdk.Compensation;
using SagaWorkflows.WorkerSdk.Consumers;

namespace SagaWorkflows.WorkerSdk;

public static class SagaWorkflowsWorkerExtensions
{
    /// <summary>
    /// Hosts tools and chat models: each tool gets its own queue for step commands and one for its
    /// use as a compensation; each model a queue for <c>ai</c> steps. Before or after
    /// <c>AddSagaWorkflowsBus</c> (or <c>AddSagaWorkflows</c> in your own <c>AddMassTransit</c>): the
    /// endpoints are created with the bus. Tool classes are resolved from the container, so their
    /// constructors take any registered service.
    /// </summary>
    public static IServiceCollection AddSagaWorkflowsWorker(this IServiceCollection services, Action<SagaWorkflowsWorkerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new SagaWorkflowsWorkerBuilder();
        configure(builder);
        services.AddBusContributor(new WorkerBusContributor(builder));
        return services;
    }

    private sealed class WorkerBusContributor(SagaWorkflowsWorkerBuilder builder) : ISagaWorkflowsBusContributor
    {
        /// <summary>Only endpoints, configured when the bus is created: the worker may come before or after the bus.</summary>
        public bool HasRegistrations => false;

        public void ConfigureRegistrations(IBusRegistrationConfigurator configurator, SagaWorkflowsBusOptions options)
        {
        }

        public void ConfigureBus(IBusRegistrationContext context, IBusFactoryConfigurator configurator, SagaWorkflowsBusOptions options)
        {
            var loggers = context.GetRequiredService<ILoggerFactory>();
            foreach (var (name, tool) in builder.Tools.Build(context))
            {
                configurator.ReceiveEndpoint(QueueNames.Tool(name), e =>
                {
                    e.ConcurrentMessageLimit = builder.ConcurrencyPerTool;
                    e.Consumer(() => new ExecuteToolConsumer(tool, context, loggers.CreateLogger<ExecuteToolConsumer>()));
                });
                configurator.ReceiveEndpoint(QueueNames.Compensation(name), e =>
                {
                    e.ConcurrentMessageLimit = builder.ConcurrencyPerTool;
                    e.ExecuteActivityHost<CompensateStepActivity, CompensateStepArguments>(
                        () => new CompensateStepActivity(tool, context, loggers.CreateLogger<CompensateStepActivity>()));
                });
            }

            foreach (var (model, factory) in builder.ChatClients)
            {
                var client = factory(context);
                configurator.ReceiveEndpoint(QueueNames.Ai(model), e =>
                {
                    e.ConcurrentMessageLimit = builder.ConcurrencyPerTool;
                    e.Consumer(() => new ExecuteAiStepConsumer(client, loggers.CreateLogger<ExecuteAiStepConsumer>(), context, builder.AiStreaming));
                });
            }
        }
    }
}
