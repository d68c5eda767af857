using Microsoft.Extensions.Hosting;
using SagaWorkflows.Hosting;
using SagaWorkflows.Orchestration;

// Content root = the app's folder, so the appsettings.json beside the DLL is read wherever it is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddSagaWorkflowsHostDefaults();
var bus = builder.Configuration.ReadBusOptions();
builder.Services.AddSagaWorkflowsServiceDefaults(builder.Configuration, "sagawf-orchestrator");
builder.Services.AddSagaWorkflowsOrchestrator(builder.Configuration.ReadOrchestratorOptions(), bus);
builder.Services.AddSagaWorkflowsBus(bus);
await builder.Build().RunAsync();
