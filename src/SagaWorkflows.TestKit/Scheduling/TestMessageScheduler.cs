using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SagaWorkflows.Hosting;

namespace SagaWorkflows.TestKit.Scheduling;

/// <summary>
/// Plugs <see cref="ScheduledMessages"/> into the product's bus setup in place of the in-memory transport's delayed
/// delivery: the bus's <see cref="IMessageScheduler"/> and every consume context's scheduler (retries' redeliveries).
/// </summary>
internal sealed class TestMessageScheduler(ScheduledMessages messages, TestClock clock) : ISagaWorkflowsMessageScheduler
{
    public void ConfigureRegistrations(IBusRegistrationConfigurator configurator)
    {
        configurator.TryAddScoped<IMessageScheduler>(provider =>
            new MessageScheduler(new TestScheduleMessageProvider(messages, clock, machineTime: false), provider.GetRequiredService<IBus>().Topology));
    }

    public void ConfigureBus(IBusRegistrationContext context, IBusFactoryConfigurator configurator) =>
        configurator.AddPrePipeSpecification(new Specification(new Filter(messages, clock)));

    private sealed class Specification(Filter filter) : IPipeSpecification<ConsumeContext>
    {
        public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(filter);

        public IEnumerable<ValidationResult> Validate() => [];
    }

    private sealed class Filter(ScheduledMessages messages, TestClock clock) : IFilter<ConsumeContext>
    {
        public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context, consume =>
                new MessageScheduler(new TestScheduleMessageProvider(messages, clock, machineTime: true), consume.GetPayload<IBusTopology>())));
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("sagaWorkflowsTestKitScheduler");
    }
}
