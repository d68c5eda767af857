using Microsoft.Extensions.Hosting;
using SagaWorkflows.Hosting;
using SagaWorkflows.Orchestration;
using SagaWorkflows.Orchestration.Persistence;

try
{
    // Content root = the app's folder, so the appsettings.json beside the DLL is read wherever it is started from.
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.AddSagaWorkflowsHostDefaults();
    var bus = builder.Configuration.ReadBusOptions();
    builder.Services.AddSagaWorkflowsServiceDefaults(builder.Configuration, "sagawf-orchestrator");
    builder.Services.AddSagaWorkflowsOrchestrator(builder.Configuration.ReadOrchestratorOptions(), bus);
    builder.Services.AddSagaWorkflowsBus(bus);
    await builder.Build().RunAsync();
    return 0;
}
catch (Exception exception) when (StoreProblem(exception) is { } store)
{
    // A store that cannot be opened is a configuration problem: one line saying what, not a stack trace.
    Console.Error.WriteLine($"orchestrator: cannot start: {store.Message}");
    return 1;
}

static SagaStoreStartupException? StoreProblem(Exception exception) => exception switch
{
    SagaStoreStartupException store => store,
    AggregateException aggregate => aggregate.InnerExceptions.Select(StoreProblem).FirstOrDefault(found => found is not null),
    _ => exception.InnerException is { } inner ? StoreProblem(inner) : null,
};
