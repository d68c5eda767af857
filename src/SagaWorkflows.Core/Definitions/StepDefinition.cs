namespace SagaWorkflows.Core.Definitions;

/// <summary>
/// A node of a definition. <see cref="JsonPath"/> locates it in the source for messages. Each node type's
/// record lives with the rest of that type in <c>Nodes/</c> (<c>ToolStep</c> in <c>ToolNode.cs</c>, …).
/// </summary>
public abstract record StepDefinition
{
    public required string Id { get; init; }
    public required string JsonPath { get; init; }
    public abstract string Type { get; }
}
