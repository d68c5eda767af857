using System.Text.Json.Nodes;

namespace SagaWorkflows.Core.Engine;

internal enum OutcomeKind
{
    /// <summary>The event is not for this subtree.</summary>
    NotFound,
    Pending,
    Completed,
    Failed,
}

internal readonly record struct Outcome(OutcomeKind Kind, JsonNode? Output = null, StepError? Error = null)
{
    public static readonly Outcome NotFound = new(OutcomeKind.NotFound);
    public static readonly Outcome Pending = new(OutcomeKind.Pending);

    public static Outcome Completed(JsonNode? output) => new(OutcomeKind.Completed, output);

    public static Outcome Fail(StepError error) => new(OutcomeKind.Failed, Error: error);

    public bool Handled => Kind != OutcomeKind.NotFound;
}
