using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.TestKit.Tests;

/// <summary>What the test tools did, for the tests to check (a service the tools take from the container).</summary>
public sealed class Ledger
{
    public ConcurrentQueue<string> Calls { get; } = new();
}

/// <summary>Fails its step's first attempt with a retryable error.</summary>
public sealed class FlakyCharge(Ledger ledger) : IWorkflowTool
{
    public string Name => "payments.charge";

    public Task<JsonNode?> ExecuteAsync(ToolContext context, CancellationToken cancellationToken)
    {
        ledger.Calls.Enqueue($"charge attempt {context.Attempt}");
        return context.Attempt < 2
            ? throw new ToolException("GatewayTimeout", $"attempt {context.Attempt}: the gateway timed out")
            : Task.FromResult<JsonNode?>(new JsonObject { ["charged"] = context.Input?["amount"]?.DeepClone() });
    }
}

public sealed class Reserve(Ledger ledger) : IWorkflowTool
{
    public string Name => "inventory.reserve";

    public Task<JsonNode?> ExecuteAsync(ToolContext context, CancellationToken cancellationToken)
    {
        ledger.Calls.Enqueue("reserve");
        return Task.FromResult<JsonNode?>(new JsonObject { ["reservationId"] = "R-" + context.Input?["sku"]?.GetValue<string>() });
    }
}

public sealed class Release(Ledger ledger) : IWorkflowTool
{
    public string Name => "inventory.release";

    public Task<JsonNode?> ExecuteAsync(ToolContext context, CancellationToken cancellationToken)
    {
        ledger.Calls.Enqueue($"release {context.Input?["reservationId"]?.GetValue<string>()} (compensation: {context.IsCompensation})");
        return Task.FromResult<JsonNode?>(new JsonObject { ["released"] = true });
    }
}
