using System.Diagnostics;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Orchestration.Tests.Embedded;
using SagaWorkflows.WorkerSdk.Tools;
using static SagaWorkflows.Hosting.Telemetry.SagaWorkflowsDiagnostics;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Orchestration.Tests.Monitoring;

public class RunTelemetryTests
{
    [Fact]
    public async Task A_run_with_a_retry_and_a_compensation_is_one_trace_with_a_span_per_step_attempt_and_counted_in_the_metrics()
    {
        using var capture = new TelemetryCapture();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var flaky = "tel-flaky-" + suffix;
        var workflowId = "telemetry-" + suffix;
        var calls = 0;
        await using var system = await EmbeddedSystem.StartAsync(w => w.AddToolWithContext(flaky, (_, _) =>
            Interlocked.Increment(ref calls) == 1
                ? throw new ToolException("Transient", "first attempt fails")
                : Task.FromResult<JsonNode?>(new JsonObject { ["id"] = "r-1" })));
        var definition = $$"""
        { "id": "{{workflowId}}", "steps": [
            { "id": "reserve", "type": "tool", "tool": "{{flaky}}", "retry": { "initialInterval": "PT0.1S" }, "compensate": { "tool": "echo" } },
            { "id": "charge", "type": "tool", "tool": "fail", "input": { "errorType": "Declined" }, "retry": { "maxAttempts": 1 } } ] }
        """;

        var events = await system.RunAsync(definition);

        Assert.Equal("Compensated", events[^1].Data!.Value.GetProperty("status").GetString());
        var runId = events[0].RunId.ToString();

        // A span per step attempt, with the run, the workflow (carried as baggage from the saga), the step, the tool, the attempt, the outcome.
        var steps = await SpansEventuallyAsync(capture, s => s.Source.Name == Name && (string?)s.GetTagItem(Tags.RunId) == runId, 3);
        var attempts = steps.Select(s => ((string?)s.GetTagItem(Tags.StepId), (string?)s.GetTagItem(Tags.Tool), s.GetTagItem(Tags.Attempt), (string?)s.GetTagItem(Tags.Outcome)))
            .OrderBy(a => a.Item1).ThenBy(a => (int)a.Item3!).ToList();
        Assert.Equal([("charge", "fail", (object)1, Outcomes.Failed), ("reserve", flaky, 1, Outcomes.Retrying), ("reserve", flaky, 2, Outcomes.Completed)], attempts);
        Assert.All(steps, s => Assert.Equal(workflowId, s.GetTagItem(Tags.WorkflowId)));
        Assert.All(steps, s => Assert.Equal(s.GetTagItem(Tags.StepId), s.GetTagItem(Tags.StepPath)));
        Assert.Equal("Declined", Assert.Single(steps, s => (string?)s.GetTagItem(Tags.Outcome) == Outcomes.Failed).GetTagItem(Tags.ErrorType));
        Assert.All(steps.Where(s => (string?)s.GetTagItem(Tags.Outcome) != Outcomes.Completed), s => Assert.Equal(ActivityStatusCode.Error, s.Status));

        // One trace from start to end: the step spans and the saga's consume spans (MassTransit's, tagged with the run) share it.
        var sagaSpans = capture.Spans.Where(s => s.Source.Name == MassTransitName && (string?)s.GetTagItem(Tags.RunId) == runId).ToList();
        Assert.Contains(sagaSpans, s => (string?)s.GetTagItem(Tags.RunStatus) == "compensated");
        Assert.Single(steps.Concat(sagaSpans).Select(s => s.TraceId).Distinct());
        Assert.All(steps, s => Assert.Equal(ActivityKind.Internal, s.Kind));
        Assert.All(steps, s => Assert.Equal(MassTransitName, FindParent(capture, s)?.Source.Name));

        // Metrics: the run started once and ended compensated; the flaky tool's retry and both attempts' durations.
        Assert.Equal(1, capture.Named("sagawf.runs.started").Where(m => (string?)m.Tag(Tags.WorkflowId) == workflowId).Sum(m => m.Value));
        var ended = Assert.Single(capture.Named("sagawf.runs.ended"), m => (string?)m.Tag(Tags.WorkflowId) == workflowId);
        Assert.Equal("compensated", ended.Tag(Tags.RunStatus));
        Assert.Equal(1, capture.Named("sagawf.step.retries").Where(m => (string?)m.Tag(Tags.Tool) == flaky).Sum(m => m.Value));
        var durations = capture.Named("sagawf.step.duration").Where(m => (string?)m.Tag(Tags.Tool) == flaky).ToList();
        Assert.Equal([Outcomes.Completed, Outcomes.Retrying], durations.Select(m => (string)m.Tag(Tags.Outcome)!).Order());
        Assert.All(durations, m => Assert.InRange(m.Value, 0, 30));
        Assert.Contains(capture.Named("sagawf.store.commit.batch_size"), m => m.Value >= 1);
    }

    private static Activity? FindParent(TelemetryCapture capture, Activity span) =>
        span.Parent ?? capture.Spans.FirstOrDefault(s => s.SpanId == span.ParentSpanId);

    private static Task<List<Activity>> SpansEventuallyAsync(TelemetryCapture capture, Func<Activity, bool> match, int count) =>
        Poll.UntilAsync(() => capture.Spans.Where(match).ToList(), spans => spans.Count >= count, TimeSpan.FromSeconds(10), $"{count} matching spans");
}
