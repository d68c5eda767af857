// README: worker
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SagaWorkflows.Hosting;
using SagaWorkflows.WorkerSdk;
using SagaWorkflows.WorkerSdk.Tools;
using Shop.Worker;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton<Inventory>();             // tool classes are resolved from the container
builder.Services.AddSagaWorkflowsWorker(w =>
{
    w.AddTool<ReserveInventory>();                      // a class: "inventory.reserve"
    w.AddTool<ReleaseInventory>();                      // its compensation is just another tool
    w.AddTool("payments.charge", (input, ct) =>         // or a delegate of the step's input
        input?["card"]?.GetValue<string>() == "declined"
            ? throw new ToolException("CardDeclined", "the card was declined")
            : Task.FromResult<JsonNode?>(new JsonObject { ["charged"] = input?["amount"]?.DeepClone() }));
});
builder.Services.AddSagaWorkflowsBus(builder.Configuration.ReadBusOptions());   // ConnectionStrings__RabbitMq
await builder.Build().RunAsync();
// README: end
