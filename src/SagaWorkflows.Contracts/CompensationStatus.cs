using System.Text.Json.Serialization;

namespace SagaWorkflows.Contracts;

/// <summary>How far undoing a run, or one of its steps, has got.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CompensationStatus>))]
public enum CompensationStatus
{
    Compensating,
    Compensated,
    CompensationFailed,
}
