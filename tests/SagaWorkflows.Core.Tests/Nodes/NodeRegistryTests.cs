using System.Text.Json;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary>Every node type is registered once, and one left out stops the process instead of being skipped.</summary>
public class NodeRegistryTests
{
    private static readonly System.Reflection.Assembly Core = typeof(StepDefinition).Assembly;

    [Fact]
    public void The_product_registers_every_step_record_and_state_in_the_documented_order()
    {
        var registry = new NodeRegistry(NodeTypes.All, Core);

        Assert.Equal(["tool", "ai", "parallel", "foreach", "loop", "branch", "wait", "sleep", "workflow"], registry.Names);
    }

    [Fact]
    public void A_node_type_left_out_of_the_registry_fails_at_construction_naming_its_record_and_state()
    {
        var withoutSleep = NodeTypes.All.Where(t => t.Name != SleepStep.TypeName).ToList();

        var error = Assert.Throws<InvalidOperationException>(() => new NodeRegistry(withoutSleep, Core));

        Assert.Contains("SagaWorkflows.Core.Nodes.SleepStep is a step definition no registered node type reads or runs", error.Message, StringComparison.Ordinal);
        Assert.Contains("SagaWorkflows.Core.Nodes.SleepState is a node state no registered node type keeps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_step_record_without_a_node_type_fails_at_construction()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new NodeRegistry(NodeTypes.All, Core, typeof(NodeRegistryTests).Assembly));

        Assert.Contains(nameof(UnregisteredStep), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(UnregisteredState), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_node_types_with_one_name_fail_at_construction()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new NodeRegistry([.. NodeTypes.All, new ToolNode()], Core));

        Assert.Contains("two node types are named 'tool'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_registered_state_is_stored_under_its_node_type_name()
    {
        var states = NodeTypes.All.DistinctBy(t => t.StateType).ToList();

        foreach (var type in states)
        {
            var state = (NodeState)Activator.CreateInstance(type.StateType)!;
            var json = JsonSerializer.Serialize(state, CoreJson.Options);
            Assert.StartsWith($$"""{"$node":"{{type.StateName}}",""", json, StringComparison.Ordinal);
            Assert.IsType(type.StateType, JsonSerializer.Deserialize<NodeState>(json, CoreJson.Options));
        }
    }

    /// <summary>What someone adding a node type might write and forget to register.</summary>
    private sealed record UnregisteredStep : StepDefinition
    {
        public override string Type => "unregistered";
    }

    private sealed class UnregisteredState : NodeState
    {
        public override IEnumerable<SequenceFrame> Frames() => [];
    }
}
