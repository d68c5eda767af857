using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Definitions;
using SagaWorkflows.TestKit;
using SagaWorkflows.WorkerSdk.Tools;
using Shop.Publisher;
using Shop.Worker;

namespace Shop.Tests;

/// <summary>
/// The shop's workflows against its own tool classes, in the test process (SagaWorkflows.TestKit): no broker, no
/// database, and sleeps, retry delays and timeouts skipped.
/// </summary>
public sealed class ShopOrderTests : IAsyncLifetime
{
    private WorkflowTestKit _kit = null!;
    private int _gatewayTimeouts;

    // README: testkit
    public async Task InitializeAsync() =>
        _kit = await WorkflowTestKit.StartAsync(o => o
            .ConfigureServices(s => s.AddSingleton<Inventory>())
            .AddWorker(w => w
                .AddTool<ReserveInventory>()                      // the worker's own classes, as in its Program.cs
                .AddTool<ReleaseInventory>()
                .AddTool("payments.charge", ChargeAsync)));       // a fake payment gateway

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    /// <summary>Times out while <see cref="_gatewayTimeouts"/> lasts, declines the card "declined", else charges.</summary>
    private Task<JsonNode?> ChargeAsync(JsonNode? input, CancellationToken cancellationToken) =>
        Interlocked.Decrement(ref _gatewayTimeouts) >= 0 ? throw new ToolException("GatewayTimeout", "the gateway timed out")
        : input?["card"]?.GetValue<string>() == "declined" ? throw new ToolException("CardDeclined", "the card was declined")
        : Task.FromResult<JsonNode?>(new JsonObject { ["charged"] = input?["amount"]?.DeepClone() });

    [Fact]
    public async Task An_order_held_an_hour_then_charged_on_the_second_attempt_completes_at_once()
    {
        // Reserve now; charge after an hour's cooling-off period, retrying while the gateway times out.
        var coolingOff = Workflow.Define("cooling-off-order").Steps(
            Step.Tool("reserve", "inventory.reserve").Input(new { sku = "${ input.sku }", qty = "${ input.qty }" }),
            Step.Sleep("coolingOff", TimeSpan.FromHours(1)),
            Step.Tool("charge", "payments.charge").Input(new { card = "${ input.card }", amount = "${ input.amount }" })
                .Retry(new RetryPolicy { MaxAttempts = 3, InitialInterval = TimeSpan.FromSeconds(30) }));
        _gatewayTimeouts = 1;

        var watch = Stopwatch.StartNew();
        var run = await _kit.StartAsync(coolingOff, new { sku = "book", qty = 1, card = "4242", amount = 12.5 });
        var output = await run.CompletedAsync();
        watch.Stop();

        Assert.Equal(12.5, output!["charged"]!.GetValue<double>());
        run.ShouldHaveEvents("step-complete reserve", "step-complete coolingOff", "step-retry charge", "step-complete charge", "workflow-complete");
        Assert.Equal(2, run.Step("charge").Attempts);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"an hour's sleep and a 30 s retry took {watch.Elapsed} of real time");
    }
    // README: end

    [Fact]
    public async Task A_declined_card_releases_the_reservation()
    {
        var run = await _kit.StartAsync(ShopOrder.Definition,
            new { orderId = "A-2", sku = "book", qty = 2, card = "declined", amount = 25.0 });

        await run.FailedAsync();

        run.ShouldHaveEvents("step-complete reserve", "step-error charge", "step-compensated reserve", "workflow-error");
        Assert.Equal(1, run.Step("charge").Attempts);                              // CardDeclined is not retried
        Assert.Equal(10, _kit.Services.GetRequiredService<Inventory>().InStock("book"));   // all back in stock
    }

    [Fact]
    public async Task A_large_order_waits_for_a_managers_approval()
    {
        var approved = Workflow.Define("approved-order").Steps(
            Step.Branch("size").Case("input.amount > 1000", Step.Wait("approval", "manager-approval").Timeout(TimeSpan.FromDays(2))),
            Step.Tool("charge", "payments.charge").Input(new { card = "${ input.card }", amount = "${ input.amount }" }));

        var run = await _kit.StartAsync(approved, new { card = "4242", amount = 5000 });
        await run.WaitForEventAsync("step-suspended", "size.approval");      // a step's path: inside the branch "size"
        await run.SignalAsync("manager-approval", new { by = "grace" });
        var output = await run.CompletedAsync();

        Assert.Equal(5000, output!["charged"]!.GetValue<int>());
        run.ShouldHaveEvents("step-suspended size.approval", "step-complete size.approval", "step-complete charge");
    }
}
