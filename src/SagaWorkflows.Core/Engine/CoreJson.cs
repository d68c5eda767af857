using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SagaWorkflows.Core.Engine;

/// <summary>The one set of JSON options for engine state and payloads.</summary>
public static class CoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },

        // A node's state is stored under its node type's name ("$node": "loop"), the node types say which.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { Nodes.NodeTypes.DescribeStates } },
    };

    /// <summary>A message's JSON payload as a node the engine and tools can work with; null stays null.</summary>
    public static System.Text.Json.Nodes.JsonNode? ToNode(JsonElement? element) =>
        element is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } e ? System.Text.Json.Nodes.JsonNode.Parse(e.GetRawText()) : null;
}
