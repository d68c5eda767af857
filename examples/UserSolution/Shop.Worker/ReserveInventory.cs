// README: tool
using System.Text.Json.Nodes;
using SagaWorkflows.WorkerSdk.Tools;

namespace Shop.Worker;

public sealed class ReserveInventory(Inventory inventory) : IWorkflowTool
{
    public string Name => "inventory.reserve";

    public async Task<JsonNode?> ExecuteAsync(ToolContext context, CancellationToken cancellationToken)
    {
        var sku = context.Input?["sku"]?.GetValue<string>()
            ?? throw new ToolException("BadInput", "sku is required");                 // name the error type...
        var qty = context.Input?["qty"]?.GetValue<int>() ?? 1;

        // ExecutionId is the same for every attempt and duplicate of this step: an idempotency key.
        if (!await inventory.ReserveAsync(context.ExecutionId, sku, qty, cancellationToken))
        {
            throw new ToolException("OutOfStock", $"{sku} is out of stock");            // ...matched by retry.nonRetryable
        }

        return new JsonObject { ["reservationId"] = context.ExecutionId.ToString(), ["sku"] = sku, ["qty"] = qty };
    }
}
// README: end
