using Microsoft.Extensions.Hosting;
using SagaWorkflows.Hosting;
using SagaWorkflows.Orchestration;

var builder = Host.CreateApplicationBuilder(args);
var bus = builder.Configuration.ReadBusOptions();
builder.Services.AddSagaWorkflowsServiceDefaults(builder.Configuration, "sagawf-orchestrator");
builder.Services.AddSagaWorkflowsOrchestrator(builder.Configuration.ReadOrchestratorOptions(), bus);
builder.Services.AddSagaWorkflowsBus(bus);
await builder.Build().RunAsync();
