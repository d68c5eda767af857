namespace SagaWorkflows.Bridge.Runs;

/// <summary>A step's status as the bridge derives it from the step's events.</summary>
public static class StepStatus
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Retrying = "Retrying";
    public const string Waiting = "Waiting";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
}
