// README: compensation
using System.Text.Json.Nodes;
using SagaWorkflows.WorkerSdk.Tools;

namespace Shop.Worker;

/// <summary>Undoes <see cref="ReserveInventory"/>: named by the step's "compensate", run with IsCompensation = true.</summary>
public sealed class ReleaseInventory(Inventory inventory) : IWorkflowTool
{
    public string Name => "inventory.release";

    public async Task<JsonNode?> ExecuteAsync(ToolContext context, CancellationToken cancellationToken)
    {
        var reservationId = Guid.Parse(context.Input?["reservationId"]?.GetValue<string>()
            ?? throw new ToolException("BadInput", "reservationId is required"));
        await inventory.ReleaseAsync(reservationId, cancellationToken);                  // idempotent: delivery is at least once
        return new JsonObject { ["released"] = reservationId.ToString() };
    }
}
// README: end
