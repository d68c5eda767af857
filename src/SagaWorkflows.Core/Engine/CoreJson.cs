using System.Text.Json;
using System.Text.Json.Serialization;

namespace SagaWorkflows.Core.Engine;

/// <summary>The one set of JSON options for engine state and payloads.</summary>
public static class CoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}
