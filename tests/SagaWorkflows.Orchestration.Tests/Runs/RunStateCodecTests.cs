using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Orchestration.Runs;
using SagaWorkflows.Core.Nodes;

namespace SagaWorkflows.Orchestration.Tests.Runs;

public sealed class RunStateCodecTests
{
    [Fact]
    public void Items_and_results_leave_the_row_in_parts_and_come_back_in_order_nested_ones_included()
    {
        var (state, outer, inner) = State(items: 150);
        var run = new WorkflowRun { CorrelationId = state.RunId };
        var full = JsonSerializer.Serialize(state, CoreJson.Options);

        run.StateJson = RunStateCodec.Encode(state, run);

        Assert.True(run.StateJson.Length < full.Length / 5, $"the row still holds {run.StateJson.Length} of {full.Length} characters");
        Assert.Equal(full, JsonSerializer.Serialize(state, CoreJson.Options)); // the engine's object is left as it was
        var written = Parts(run);
        Assert.Equal(["fan#items/0", "fan#items/1", "fan#items/2", "fan#results/0", "fan[3].inner#items/0", "fan[3].inner#results/0", "input"],
            written.Keys.Order(StringComparer.Ordinal));

        var loaded = new WorkflowRun { CorrelationId = run.CorrelationId, StateJson = run.StateJson, StoredParts = written };
        var decoded = RunStateCodec.Decode(loaded);

        Assert.Equal(full, JsonSerializer.Serialize(decoded, CoreJson.Options));
        Assert.NotNull(outer);
        Assert.NotNull(inner);
    }

    [Fact]
    public void A_transition_writes_only_the_part_whose_result_changed_and_deletes_the_parts_of_a_finished_foreach()
    {
        var (state, outer, inner) = State(items: 150);
        var run = new WorkflowRun { CorrelationId = state.RunId };
        RunStateCodec.Encode(state, run);
        run.PartChanges.Clear();

        outer.Results[100] = JsonValue.Create("done");
        RunStateCodec.Encode(state, run);
        Assert.Equal(["fan#results/1"], run.PartChanges.Select(c => Part(c).Key));
        run.PartChanges.Clear();

        RunStateCodec.Encode(state, run);
        Assert.Empty(run.PartChanges);

        // The inner foreach finished: its iteration frame no longer holds it.
        outer.Running[3].Current = null;
        RunStateCodec.Encode(state, run);
        Assert.Equal(["fan[3].inner#items/0", "fan[3].inner#results/0"], run.PartChanges.Where(c => c.Delete).Select(c => Part(c).Key).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(run.PartChanges, c => !c.Delete);
        Assert.NotNull(inner);
    }

    [Fact]
    public void A_result_set_after_a_read_back_is_written_and_the_rest_is_not()
    {
        var (state, _, _) = State(items: 150);
        var run = new WorkflowRun { CorrelationId = state.RunId };
        run.StateJson = RunStateCodec.Encode(state, run);
        var loaded = new WorkflowRun { CorrelationId = run.CorrelationId, StateJson = run.StateJson, StoredParts = Parts(run) };
        var decoded = RunStateCodec.Decode(loaded);
        var fan = (ForeachState)decoded.Root.Current!;

        fan.Results[149] = JsonValue.Create(149);
        RunStateCodec.Encode(decoded, loaded);

        var change = Assert.Single(loaded.PartChanges);
        Assert.Equal("fan#results/2", Part(change).Key);
        Assert.Equal(22, JsonNode.Parse(Part(change).Json)!.AsArray().Count);
    }

    [Fact]
    public void A_row_whose_items_are_missing_from_the_store_is_an_error_naming_the_run_and_the_foreach()
    {
        var (state, _, _) = State(items: 10);
        var run = new WorkflowRun { CorrelationId = state.RunId };
        run.StateJson = RunStateCodec.Encode(state, run);
        var loaded = new WorkflowRun { CorrelationId = run.CorrelationId, StateJson = run.StateJson, StoredParts = [] };

        var error = Assert.Throws<InvalidOperationException>(() => RunStateCodec.Decode(loaded));

        Assert.Contains(run.CorrelationId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("'fan'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_written_before_parts_existed_still_reads_with_its_items_inline()
    {
        var (state, _, _) = State(items: 10);
        var full = JsonSerializer.Serialize(state, CoreJson.Options);
        var run = new WorkflowRun { CorrelationId = state.RunId, StateJson = full };

        Assert.Equal(full, JsonSerializer.Serialize(RunStateCodec.Decode(run), CoreJson.Options));
    }

    /// <summary>A foreach over <paramref name="items"/> objects, two results in, iteration 3 running a nested foreach of 3.</summary>
    private static (RunState State, ForeachState Outer, ForeachState Inner) State(int items)
    {
        var inner = new ForeachState
        {
            Path = "fan[3].inner",
            Items = new JsonArray(JsonValue.Create("a"), JsonValue.Create("b"), JsonValue.Create("c")),
            Results = [JsonValue.Create("A"), null, null],
            NextIndex = 3,
            CompletedCount = 1,
        };
        var outer = new ForeachState
        {
            Path = "fan",
            Items = new JsonArray(Enumerable.Range(0, items).Select(i => (JsonNode?)new JsonObject { ["n"] = i, ["name"] = $"item {i}" }).ToArray()),
            Results = new JsonNode?[items],
            NextIndex = 4,
            CompletedCount = 2,
        };
        outer.Results[0] = new JsonObject { ["n"] = 0 };
        outer.Results[1] = JsonValue.Create(1);
        outer.Running[3] = new SequenceFrame { Current = inner };
        var state = new RunState
        {
            RunId = NewId.NextGuid(),
            WorkflowId = "big",
            Input = new JsonObject { ["items"] = new JsonArray(Enumerable.Range(0, items).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()) },
            Root = new SequenceFrame { Current = outer },
        };
        return (state, outer, inner);
    }

    private static Dictionary<string, string> Parts(WorkflowRun run) =>
        run.PartChanges.Where(c => !c.Delete).Select(Part).ToDictionary(p => p.Key, p => p.Json);

    private static WorkflowRunPart Part(SagaWorkflows.Orchestration.Persistence.DependentRowChange change) => (WorkflowRunPart)change.Entity;
}
