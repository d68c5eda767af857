using SagaWorkflows.Contracts;

namespace SagaWorkflows.Cli.Demo;

/// <summary>How a scenario ended: the terminal event of each run it started, in the order they started.</summary>
/// <param name="Runs">One terminal event per run: the last one, for a run that was redriven.</param>
/// <param name="Redriven">The runs that failed and went on after a <c>workflow-redriven</c>.</param>
internal sealed record DemoOutcome(IReadOnlyList<WorkflowLifecycleEvent> Runs, IReadOnlySet<Guid> Redriven)
{
    /// <summary>Every run ended as the scenario expects: its outcome and status, redriven if it had an outage, as many as its schedule starts.</summary>
    public bool IsAsExpected(DemoScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var expectedRuns = scenario.Schedule?.Runs ?? 1;
        return Runs.Count == expectedRuns
            && Runs.All(r => r.Type == scenario.ExpectedOutcome && (scenario.ExpectedStatus is null || scenario.ExpectedStatus == Status(r)))
            && (scenario.Outage is null || Runs.All(r => Redriven.Contains(r.RunId)));
    }

    /// <summary>The run's status as its terminal event names it, if it does.</summary>
    public static string? Status(WorkflowLifecycleEvent terminal)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        return terminal.Data is { } data && data.ValueKind == System.Text.Json.JsonValueKind.Object && data.TryGetProperty("status", out var s)
            ? s.GetString()
            : null;
    }
}
