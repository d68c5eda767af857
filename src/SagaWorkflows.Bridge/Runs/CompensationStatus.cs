namespace SagaWorkflows.Bridge.Runs;

/// <summary>How far undoing a run, or one of its steps, has got.</summary>
public static class CompensationStatus
{
    public const string Compensating = "Compensating";
    public const string Compensated = "Compensated";
    public const string Failed = "CompensationFailed";
}
