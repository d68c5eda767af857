using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Nodes;

/// <summary>
/// The node types of the product, registered here once. The list is checked when it is first used: a
/// definition record or a state class without a node type stops the process at once, rather than a step
/// being silently skipped by some walk of the tree.
/// </summary>
internal static class NodeTypes
{
    /// <summary>In the order the definition format documents them (and "unknown step type" lists them).</summary>
    public static IReadOnlyList<NodeType> All { get; } =
    [
        new ToolNode(), new AiNode(), new ParallelNode(), new ForeachNode(),
        new LoopNode(), new BranchNode(), new WaitNode(), new SleepNode(), new WorkflowNode(),
    ];

    private static readonly NodeRegistry Registry = new(All, typeof(NodeType).Assembly);

    public static IReadOnlyList<string> Names => Registry.Names;

    public static NodeType? Find(string name) => Registry.Find(name);

    public static NodeType Of(StepDefinition step) => Registry.Of(step);

    /// <summary>Tells System.Text.Json the state class of every node type, under its stored name.</summary>
    public static void DescribeStates(JsonTypeInfo info) => Registry.DescribeStates(info);
}

/// <summary>Node types by name and by definition record, checked to cover every record and state class.</summary>
internal sealed class NodeRegistry
{
    /// <summary>The property naming a node state's type in stored run state.</summary>
    public const string StateDiscriminator = "$node";

    private readonly Dictionary<string, NodeType> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, NodeType> _byDefinition = [];
    private readonly Dictionary<Type, string> _states = [];

    /// <param name="types">The registered node types.</param>
    /// <param name="assemblies">Where every concrete <see cref="StepDefinition"/> and <see cref="NodeState"/> must belong to one of them.</param>
    /// <exception cref="InvalidOperationException">Naming every record or state without a node type, and every clash.</exception>
    public NodeRegistry(IReadOnlyList<NodeType> types, params Assembly[] assemblies)
    {
        ArgumentNullException.ThrowIfNull(types);
        List<string> problems = [];
        foreach (var type in types)
        {
            if (!_byName.TryAdd(type.Name, type))
            {
                problems.Add($"two node types are named '{type.Name}'");
            }

            if (!_byDefinition.TryAdd(type.DefinitionType, type))
            {
                problems.Add($"{type.DefinitionType.Name} is the definition of two node types");
            }

            if (_states.TryGetValue(type.StateType, out var name) && name != type.StateName)
            {
                problems.Add($"{type.StateType.Name} is stored as both '{name}' and '{type.StateName}'");
            }
            else if (_states.ContainsValue(type.StateName) && !_states.ContainsKey(type.StateType))
            {
                problems.Add($"two state classes are stored as '{type.StateName}'");
            }

            _states[type.StateType] = type.StateName;
        }

        foreach (var concrete in assemblies.SelectMany(a => a.GetTypes()).Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            if (concrete.IsSubclassOf(typeof(StepDefinition)) && !_byDefinition.ContainsKey(concrete))
            {
                problems.Add($"{concrete.FullName} is a step definition no registered node type reads or runs");
            }
            else if (concrete.IsSubclassOf(typeof(NodeState)) && !_states.ContainsKey(concrete))
            {
                problems.Add($"{concrete.FullName} is a node state no registered node type keeps");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The node types are not registered completely (add each node type to {nameof(NodeTypes)}.{nameof(NodeTypes.All)}): {string.Join("; ", problems)}");
        }

        Names = types.Select(t => t.Name).ToList();
    }

    public IReadOnlyList<string> Names { get; }

    public NodeType? Find(string name) => _byName.GetValueOrDefault(name);

    public NodeType Of(StepDefinition step) => _byDefinition[step.GetType()];

    public void DescribeStates(JsonTypeInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Type != typeof(NodeState))
        {
            return;
        }

        info.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = StateDiscriminator };
        foreach (var (type, name) in _states)
        {
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, name));
        }
    }
}
