using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>sleep</c>: how it is read (an ISO 8601 duration) and how it runs (a durable timer).</summary>
public class SleepNodeTests
{
    [Theory]
    [InlineData("PT30S", 30_000)]
    [InlineData("PT0.5S", 500)]
    [InlineData("PT5M", 300_000)]
    [InlineData("PT1H30M", 5_400_000)]
    [InlineData("P1D", 86_400_000)]
    [InlineData("P1DT2H", 93_600_000)]
    [InlineData("PT0S", 0)]
    public void Sleep_step_reads_iso_8601_durations(string duration, long milliseconds)
    {
        var sleep = Single<SleepStep>($$"""{ "id": "nap", "type": "sleep", "duration": "{{duration}}" }""");

        Assert.Equal("sleep", sleep.Type);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), sleep.Duration);
    }

    [Fact]
    public void Sleep_completes_when_its_timer_is_due_and_passes_its_input_through()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "nap", "type": "sleep", "duration": "PT1M" } ] }""", new { keep = 1 });
        Assert.Equal(run.Now + TimeSpan.FromMinutes(1), run.WakeAt);
        Assert.Equal([run.Now + TimeSpan.FromMinutes(1)], run.ScheduledWakes);

        run.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("""{"keep":1}""", run.State.Output!.ToJsonString());
    }

    [Fact]
    public void Sleep_until_reads_a_bare_expression()
    {
        var sleep = Single<SleepStep>("""{ "id": "nap", "type": "sleep", "until": "input.deliverAt" }""");

        Assert.Equal("input.deliverAt", sleep.Until);
        Assert.Null(sleep.Duration);
    }

    [Theory]
    [InlineData("""{ "id": "nap", "type": "sleep", "duration": "PT1M", "until": "input.at" }""", "$.steps[0]: set either 'duration' or 'until', not both")]
    [InlineData("""{ "id": "nap", "type": "sleep" }""", "$.steps[0].duration: is required (or 'until')")]
    [InlineData("""{ "id": "nap", "type": "sleep", "until": 5 }""", "$.steps[0].until: must be a string")]
    [InlineData("""{ "id": "nap", "type": "sleep", "until": "input.(" }""", null)]
    public void Sleep_takes_exactly_one_of_duration_and_until(string step, string? expected)
    {
        var errors = WorkflowDefinitionParser.Parse($$"""{ "id": "w", "steps": [ {{step}} ] }""").Errors.Select(e => e.ToString()).ToList();

        var error = Assert.Single(errors);
        if (expected is null)
        {
            Assert.StartsWith("$.steps[0].until: invalid expression", error, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(expected, error);
        }
    }

    [Fact]
    public void Sleep_until_may_only_read_steps_that_ran_before_it()
    {
        var errors = WorkflowDefinitionParser.Parse("""
            { "id": "w", "steps": [
                { "id": "plan", "type": "tool", "tool": "echo" },
                { "id": "nap", "type": "sleep", "until": "steps.plan.at ?? steps.later.at" },
                { "id": "later", "type": "tool", "tool": "echo" } ] }
            """).Errors.Select(e => e.ToString()).ToList();

        var error = Assert.Single(errors);
        Assert.StartsWith("$.steps[1].until: reads steps.later, but step 'later' (at $.steps[2]) cannot have completed before this expression runs", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-01-01T00:05:00Z")]
    [InlineData("2026-01-01T02:05:00+02:00")]
    [InlineData("2025-12-31T19:05:00.000-05:00")]
    [InlineData("2026-01-01T00:05Z")]
    public void Sleep_until_a_later_time_fires_then(string deliverAt)
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "nap", "type": "sleep", "until": "input.deliverAt" } ] }""", new { deliverAt });
        var due = new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero);
        Assert.Equal(run.Now.AddMinutes(5), due);
        Assert.Equal(due, run.WakeAt);
        Assert.Equal([due], run.ScheduledWakes);

        run.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal(deliverAt, run.State.Output!["deliverAt"]!.GetValue<string>());
    }

    [Fact]
    public void Sleep_until_a_computed_time_reads_earlier_steps()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [
                { "id": "plan", "type": "tool", "tool": "echo" },
                { "id": "nap", "type": "sleep", "until": "new Date(Date.parse(steps.plan.at) + 60000).toISOString()" } ] }
            """);
        run.Complete("plan", new { at = "2026-01-01T00:10:00Z" });

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 11, 0, TimeSpan.Zero), run.WakeAt);
        run.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(RunStatus.Completed, run.State.Status);
    }

    [Theory]
    [InlineData("2025-12-31T23:59:59Z")]
    [InlineData("2026-01-01T00:00:00Z")]
    [InlineData("2000-01-01T00:00:00+14:00")]
    public void Sleep_until_a_time_already_past_completes_at_once(string deliverAt)
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "nap", "type": "sleep", "until": "input.deliverAt" } ] }""", new { deliverAt });

        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Empty(run.ScheduledWakes);
        Assert.Equal(["workflow-start", "step-start", "step-complete", "workflow-complete"], run.Types);
    }

    [Theory]
    [InlineData("\"tomorrow\"", "not \"tomorrow\"")]
    [InlineData("\"2026-01-01T00:05:00\"", "not \"2026-01-01T00:05:00\"")]
    [InlineData("\"2026-01-01\"", "not \"2026-01-01\"")]
    [InlineData("1767226200000", "not 1767226200000")]
    [InlineData("null", "not null")]
    public void Sleep_until_a_value_that_is_not_a_timestamp_fails_the_step_naming_the_field(string deliverAt, string shown)
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "p", "type": "parallel", "branches": {
                "a": [ { "id": "nap", "type": "sleep", "until": "input.deliverAt" } ] } } ] }
            """, System.Text.Json.Nodes.JsonNode.Parse($$"""{ "deliverAt": {{deliverAt}} }"""));

        Assert.Equal(RunStatus.Failed, run.State.Status);
        var error = System.Text.Json.Nodes.JsonNode.Parse(run.Events.First(e => e.Type == "step-error").Data!.Value.GetRawText())!["error"]!;
        Assert.Equal("ExpressionError", error["type"]!.GetValue<string>());
        Assert.Equal("p.nap", error["path"]!.GetValue<string>());
        var message = error["message"]!.GetValue<string>();
        Assert.StartsWith("$.steps[0].branches.a[0].until: `input.deliverAt` must evaluate to an ISO 8601 timestamp with an offset", message, StringComparison.Ordinal);
        Assert.EndsWith(shown, message, StringComparison.Ordinal);
        Assert.Empty(run.ScheduledWakes);
    }

    [Fact]
    public void Sleep_until_an_expression_that_throws_fails_the_step_naming_the_field()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "nap", "type": "sleep", "until": "input.missing.deeper" } ] }""", new { });

        var error = System.Text.Json.Nodes.JsonNode.Parse(run.Events.Single(e => e.Type == "step-error").Data!.Value.GetRawText())!["error"]!;
        Assert.Equal("ExpressionError", error["type"]!.GetValue<string>());
        Assert.StartsWith("$.steps[0].until: ", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("input.missing.deeper", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sleep_until_is_bounded_like_a_duration_by_the_max_duration_limit()
    {
        var limits = new WorkflowLimits { MaxDuration = TimeSpan.FromDays(1) };
        const string Json = """{ "id": "w", "steps": [ { "id": "nap", "type": "sleep", "until": "input.at" } ] }""";

        var within = RunDriver.Start(Json, new { at = "2026-01-02T00:00:00Z" }, limits);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero), within.WakeAt);

        var beyond = RunDriver.Start(Json, new { at = "2026-01-02T00:00:01Z" }, limits);
        Assert.Equal(RunStatus.Failed, beyond.State.Status);
        var message = System.Text.Json.Nodes.JsonNode.Parse(beyond.Events.Single(e => e.Type == "step-error").Data!.Value.GetRawText())!["error"]!["message"]!.GetValue<string>();
        Assert.Equal("$.steps[0].until: `input.at` is 2026-01-02T00:00:01.0000000+00:00, P1DT1S from now; a sleep waits at most P1D (SagaWorkflows:Limits:MaxDuration)", message);
        Assert.Empty(beyond.ScheduledWakes);

        var farAway = RunDriver.Start(Json, new { at = "9999-12-31T23:59:59Z" });
        Assert.Equal(RunStatus.Failed, farAway.State.Status);
    }
}
