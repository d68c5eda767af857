using Microsoft.Extensions.Configuration.Memory;
using SagaWorkflows.Bridge;
using SagaWorkflows.Hosting;

var builder = WebApplication.CreateBuilder(args);

// Defaults beneath every other source (--urls, ASPNETCORE_URLS, environment, appsettings). Kept in code
// rather than in an appsettings.json, which would be copied into every project that references this one.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        ["urls"] = "http://127.0.0.1:5080",
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
    },
});

builder.Services.AddSagaWorkflowsBridge(builder.Configuration);
builder.Services.AddSagaWorkflowsBus(builder.Configuration.ReadBusOptions(), x => x.AddSagaWorkflowsBridgeConsumers());

var app = builder.Build();
app.UseStatusCodePages();
app.MapSagaWorkflowsBridge();
app.Run();
