namespace SagaWorkflows.Benchmarks.Reporting;

/// <summary>One figure of a scenario; <see cref="Key"/> is stable, for scripts reading the JSON.</summary>
public sealed record Metric(string Key, string Label, double Value, string Unit);

public sealed class ScenarioResult(string id, string title)
{
    public string Id { get; } = id;
    public string Title { get; } = title;
    public bool Succeeded { get; set; } = true;
    public string? Error { get; set; }
    public double Seconds { get; set; }
    public List<Metric> Metrics { get; } = [];
    public List<string> Notes { get; } = [];

    public ScenarioResult Add(string key, string label, double value, string unit)
    {
        Metrics.Add(new Metric(key, label, value, unit));
        return this;
    }

    public double? Get(string key) => Metrics.FirstOrDefault(m => m.Key == key)?.Value;

    /// <summary>Marks the scenario failed when some of its operations failed, keeping the figures of the rest.</summary>
    public void FailIf(bool condition, string error)
    {
        if (condition)
        {
            Succeeded = false;
            Error ??= error;
        }
    }
}
