using System.Text.Json;
using MassTransit;
using SagaWorkflows.Contracts;
using Shop.Publisher;

// Starts one order run and prints its lifecycle events until it ends: exit 0 when it completed, 5 when it
// failed (its completed steps compensated), 6 when it was cancelled.
// Usage: Shop.Publisher [card]   (card "declined" makes the payment fail); broker from ConnectionStrings__RabbitMq.
//        Shop.Publisher --json     prints the definition's JSON (what order.json holds, for a designer) and exits.
if (args is ["--json"])
{
    Console.WriteLine(ShopOrder.Definition.ToJson(indented: true));
    return 0;
}

var rabbitMq = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq") ?? "amqp://guest:guest@localhost:5672/";
var card = args.Length > 0 ? args[0] : "4242";
var runId = NewId.NextGuid();
var finished = new TaskCompletionSource<WorkflowLifecycleEvent>(TaskCreationOptions.RunContinuationsAsynchronously);

var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
{
    cfg.Host(new Uri(rabbitMq));

    // Every run's events are published; this process listens on a queue of its own while it runs.
    cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(), e =>
    {
        e.ConcurrentMessageLimit = 1;
        e.Handler<WorkflowLifecycleEvent>(context =>
        {
            var evt = context.Message;
            if (evt.RunId == runId)
            {
                Console.WriteLine($"{evt.Sequence,3} {evt.Type,-22} {evt.Path}");
                if (LifecycleEventTypes.IsTerminal(evt.Type))
                {
                    finished.TrySetResult(evt);
                }
            }

            return Task.CompletedTask;
        });
    });
});

await bus.StartAsync();
try
{
    // README: start
    await bus.Publish(new StartWorkflow
    {
        RunId = runId,                                   // yours to choose: the same RunId twice starts one run
        Definition = ShopOrder.Definition.ToJson(),      // inline JSON, built in C# (or a designer's file)...
        // WorkflowId = "shop-order", Version = 1,       // ...or a definition the orchestrator loaded
        Input = JsonSerializer.SerializeToElement(new { orderId = "A-1", sku = "book", qty = 2, card, amount = 25.0 }),
    });
    // README: end
    Console.WriteLine($"run {runId} started");

    var end = await finished.Task.WaitAsync(TimeSpan.FromSeconds(60));
    Console.WriteLine($"run {runId} ended: {end.Type} {end.Data}");
    return end.Type switch
    {
        LifecycleEventTypes.WorkflowComplete => 0,
        LifecycleEventTypes.WorkflowCancelled => 6,
        _ => 5,
    };
}
finally
{
    await bus.StopAsync();
}
