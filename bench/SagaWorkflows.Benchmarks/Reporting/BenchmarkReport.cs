namespace SagaWorkflows.Benchmarks.Reporting;

public sealed class BenchmarkReport
{
    public DateTimeOffset StartedAt { get; init; }
    public double Seconds { get; set; }
    public bool QuickMode { get; init; }
    public required Dictionary<string, string> Environment { get; init; }
    public required Dictionary<string, string> Parameters { get; init; }
    public List<ScenarioResult> Scenarios { get; } = [];

    /// <summary>The ratios the issue asks for, computed from the scenarios that ran.</summary>
    public List<Metric> Headline { get; } = [];

    public bool Succeeded => Scenarios.Count > 0 && Scenarios.All(s => s.Succeeded);
}
