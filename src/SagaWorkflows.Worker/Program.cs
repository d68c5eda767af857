using Microsoft.Extensions.Hosting;
using SagaWorkflows.Hosting;
using SagaWorkflows.WorkerSdk;
using SagaWorkflows.WorkerSdk.Ai;
using SagaWorkflows.WorkerSdk.Samples;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSagaWorkflowsServiceDefaults(builder.Configuration, "sagawf-worker");
builder.Services.AddSagaWorkflowsWorker(worker => worker
    .AddDemoTools()
    .AddChatClientsFromConfiguration(builder.Configuration));
builder.Services.AddSagaWorkflowsBus(builder.Configuration.ReadBusOptions());
await builder.Build().RunAsync();
