namespace SagaWorkflows.Hosting.Health;

/// <summary>Bound from <c>SagaWorkflows:Health</c>.</summary>
public sealed class SagaWorkflowsHealthOptions
{
    public const string SectionName = "SagaWorkflows:Health";

    /// <summary>
    /// Where a host without its own web server (orchestrator, worker) serves <c>/health/live</c> and <c>/health/ready</c>,
    /// e.g. <c>http://0.0.0.0:8081</c> (several separated by <c>;</c>). Empty: not served.
    /// </summary>
    public string? Urls { get; set; }
}
