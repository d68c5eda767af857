using System.Text.Json;
using System.Text.Json.Serialization;

namespace SagaWorkflows.Bridge;

/// <summary>
/// One JSON shape for everything the bridge writes (stored events, SSE data, API bodies), independent
/// of the JSON options of whichever process hosts it.
/// </summary>
public static class BridgeJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
