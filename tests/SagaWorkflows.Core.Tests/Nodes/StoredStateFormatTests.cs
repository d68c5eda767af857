using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary>
/// Runs stored by earlier versions must still load: the state of a run with every node type running at
/// once, as the engine stored it before node types were registered in one place (the golden file was
/// written by that version), reads back and writes out the same, byte for byte.
/// </summary>
public class StoredStateFormatTests
{
    private static readonly string GoldenPath = Path.Combine(RepositoryPaths.Root, "tests", "SagaWorkflows.Core.Tests", "Nodes", "stored-state.golden.json");

    internal const string Definition = """
        { "id": "every-node", "steps": [
          { "id": "all", "type": "parallel", "branches": {
              "tools": [ { "id": "t", "type": "tool", "tool": "echo", "input": { "n": 1 }, "timeout": "PT10S" } ],
              "ais": [ { "id": "a", "type": "ai", "model": "default", "prompt": "Hi ${ input.name }" } ],
              "each": [ { "id": "fan", "type": "foreach", "items": "input.items", "concurrency": 2,
                          "steps": [ { "id": "charge", "type": "tool", "tool": "echo" } ] } ],
              "again": [ { "id": "poll", "type": "loop", "until": "steps.check.done", "steps": [ { "id": "check", "type": "tool", "tool": "echo" } ] } ],
              "route": [ { "id": "pick", "type": "branch", "cases": [ { "when": "input.name == 'Ada'", "steps": [
                          { "id": "approve", "type": "wait", "signal": "approval", "timeout": "P1D" } ] } ] } ],
              "nap": [ { "id": "rest", "type": "sleep", "duration": "PT1H" } ] } } ] }
        """;

    /// <summary>The state after start, a retry of <c>t</c> and one foreach item done: every node type has state.</summary>
    internal static string StoredState()
    {
        var parsed = WorkflowDefinitionParser.Parse(Definition);
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        var workflow = parsed.Definition!;
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var input = JsonNode.Parse("""{ "name": "Ada", "items": [1, 2, 3] }""");
        var result = WorkflowEngine.Start(workflow, new Guid("6f1c2a3b-0000-4000-8000-000000000001"), input, now, new Random(7));
        var commands = result.Effects.OfType<SendStepCommand>().Select(s => s.Command).OfType<ExecuteTool>().ToList();
        var tool = commands.Single(c => c.StepId == "t");
        var charge = commands.First(c => c.StepId == "charge");
        result = WorkflowEngine.Handle(workflow, result.State, new StepRetryScheduled(tool.ExecutionId, 1, 2, TimeSpan.FromSeconds(2), "Transient", "busy"), now, new Random(7));
        result = WorkflowEngine.Handle(workflow, result.State, new StepSucceeded(charge.ExecutionId, 1, JsonValue.Create(41)), now, new Random(7));
        return JsonSerializer.Serialize(result.State, CoreJson.Options);
    }

    [Fact]
    public void A_stored_run_with_every_node_type_reads_back_and_writes_out_byte_for_byte()
    {
        var golden = File.ReadAllText(GoldenPath).TrimEnd('\n');

        var decoded = JsonSerializer.Deserialize<RunState>(golden, CoreJson.Options)!;

        Assert.Equal(golden, JsonSerializer.Serialize(decoded, CoreJson.Options));
        Assert.Equal(golden, StoredState());
    }
}
