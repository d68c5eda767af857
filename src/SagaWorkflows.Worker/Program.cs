using Microsoft.Extensions.Hosting;
using SagaWorkflows.Hosting;
using SagaWorkflows.WorkerSdk;
using SagaWorkflows.WorkerSdk.Ai;
using SagaWorkflows.WorkerSdk.Samples;

// Content root = the app's folder, so the appsettings.json beside the DLL is read wherever it is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddSagaWorkflowsHostDefaults();
builder.Services.AddSagaWorkflowsServiceDefaults(builder.Configuration, "sagawf-worker");
builder.Services.AddSagaWorkflowsWorker(worker => worker
    .AddDemoTools()
    .AddChatClientsFromConfiguration(builder.Configuration));
builder.Services.AddSagaWorkflowsBus(builder.Configuration.ReadBusOptions());
await builder.Build().RunAsync();
