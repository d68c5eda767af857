using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>tool</c>: how it is read (input, retry, timeout, compensate) and how it runs (commands, attempts, timeouts, retries).</summary>
public class ToolNodeTests
{
    [Fact]
    public void Tool_step_without_retry_has_no_policy_timeout_input_or_compensation()
    {
        var tool = Single<ToolStep>("""{ "id": "reserve", "type": "tool", "tool": "inventory.reserve" }""");

        Assert.Equal("reserve", tool.Id);
        Assert.Equal("tool", tool.Type);
        Assert.Equal("inventory.reserve", tool.Tool);
        Assert.Equal("$.steps[0]", tool.JsonPath);
        Assert.Null(tool.Input);
        Assert.Null(tool.Retry);
        Assert.Null(tool.Timeout);
        Assert.Null(tool.Compensate);
    }

    [Fact]
    public void Tool_step_reads_input_timeout_full_retry_policy_and_compensation()
    {
        var tool = Single<ToolStep>("""
            { "id": "reserve", "type": "tool", "tool": "inventory.reserve",
              "input": { "sku": "${ input.sku }", "qty": "${ input.qty }", "note": "order ${ input.orderId }" },
              "retry": { "maxAttempts": 5, "initialInterval": "PT1S", "backoffRate": 2.5,
                         "maxInterval": "PT30S", "jitter": "full", "retryOn": ["Transient"], "nonRetryable": ["OutOfStock"] },
              "timeout": "PT30S",
              "compensate": { "tool": "inventory.release", "input": { "reservationId": "${ steps.reserve.id }" },
                              "retry": { "maxAttempts": 10 } } }
            """);

        Assert.Equal("""{"sku":"${ input.sku }","qty":"${ input.qty }","note":"order ${ input.orderId }"}""", tool.Input!.ToJsonString());
        Assert.Equal(TimeSpan.FromSeconds(30), tool.Timeout);
        var retry = tool.Retry!;
        Assert.Equal(5, retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), retry.InitialInterval);
        Assert.Equal(2.5, retry.BackoffRate);
        Assert.Equal(TimeSpan.FromSeconds(30), retry.MaxInterval);
        Assert.Equal("full", retry.Jitter);
        Assert.Equal(["Transient"], retry.RetryOn!);
        Assert.Equal(["OutOfStock"], retry.NonRetryable);
        var compensate = tool.Compensate!;
        Assert.Equal("inventory.release", compensate.Tool);
        Assert.Equal("""{"reservationId":"${ steps.reserve.id }"}""", compensate.Input!.ToJsonString());
        Assert.Equal(10, compensate.Retry!.MaxAttempts);
    }

    [Fact]
    public void Retry_fields_left_out_take_the_documented_defaults()
    {
        var retry = Single<ToolStep>("""{ "id": "a", "type": "tool", "tool": "echo", "retry": {} }""").Retry!;

        Assert.Equal(3, retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), retry.InitialInterval);
        Assert.Equal(2.0, retry.BackoffRate);
        Assert.Null(retry.MaxInterval);
        Assert.Equal("none", retry.Jitter);
        Assert.Null(retry.RetryOn);
        Assert.Empty(retry.NonRetryable);
    }

    [Fact]
    public void Retry_and_compensate_must_be_objects()
    {
        AssertStepErrors("""{ "id": "t", "type": "tool", "tool": "echo", "retry": 3, "compensate": "undo" }""",
            "$.steps[0].compensate: must be an object with 'tool' and optional 'input'",
            "$.steps[0].retry: must be an object");
    }

    [Fact]
    public void Compensation_needs_a_tool_and_checks_its_retry_and_templates()
    {
        AssertStepErrors("""
            { "id": "t", "type": "tool", "tool": "echo",
              "compensate": { "input": { "id": "${ steps.t.id" }, "retry": { "backoffRate": 0 } } }
            """,
            "$.steps[0].compensate.input.id: unterminated '${' at position 1",
            "$.steps[0].compensate.tool: is required",
            "$.steps[0].compensate.retry.backoffRate: must be >= 1");
    }

    [Fact]
    public void A_timed_out_attempt_is_retried_after_the_policy_delay_then_fails_when_attempts_run_out()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "t", "type": "tool", "tool": "nobody", "timeout": "PT10S",
                "retry": { "maxAttempts": 2, "initialInterval": "PT5S" } } ] }
            """);
        Assert.Equal(run.Now + TimeSpan.FromSeconds(12), run.WakeAt); // timeout + 1 s + 10 % grace

        run.Advance(TimeSpan.FromSeconds(12));
        var retry = run.Events[^1];
        Assert.Equal(("step-retry", 1), (retry.Type, retry.Attempt));
        Assert.Equal(5000, retry.Data!.Value.GetProperty("delayMs").GetInt64());
        Assert.Single(run.ToolCommands);

        run.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, run.ToolCommands.Count);
        Assert.Equal(2, run.ToolCommands[^1].Attempt);
        Assert.Equal(run.ToolCommands[0].ExecutionId, run.ToolCommands[^1].ExecutionId);

        run.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Equal("Timeout", run.Events.Single(e => e.Type == "step-error").Data!.Value.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public void A_worker_reported_retry_moves_the_attempt_on_and_emits_step_retry()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] }""");
        var command = run.Pending("t");

        run.HandlePersisted(new StepRetryScheduled(command.ExecutionId, 1, 2, TimeSpan.FromSeconds(1), "Transient", "try again"));
        run.HandlePersisted(new StepRetryScheduled(command.ExecutionId, 1, 2, TimeSpan.FromSeconds(1), "Transient", "try again"));
        run.HandlePersisted(new StepSucceeded(command.ExecutionId, 2, JsonValue.Create(1)));

        Assert.Single(run.Events, e => e.Type == "step-retry");
        Assert.Equal(2, run.Events.Single(e => e.Type == "step-complete").Attempt);
    }

    [Fact]
    public void Step_start_carries_the_rendered_input_the_tool_receives()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [
                { "id": "first", "type": "tool", "tool": "t" },
                { "id": "second", "type": "tool", "tool": "t", "input": { "sku": "${ input.sku }", "prev": "${ steps.first.n }" } },
                { "id": "third", "type": "tool", "tool": "t" } ] }
            """, new { sku = "X1" });
        run.Complete("first", new { n = 7 });
        run.Complete("second", new { out_ = true });

        var starts = run.Events.Where(e => e.Type == "step-start").ToDictionary(e => e.StepId!, e => e.Data!.Value.GetProperty("input").GetRawText());
        Assert.Equal("""{"sku":"X1"}""", starts["first"]);
        Assert.Equal("""{"sku":"X1","prev":7}""", starts["second"]);
        Assert.Equal(run.Pending("second").Input!.Value.GetRawText(), starts["second"]);
        Assert.Equal("""{"out_":true}""", starts["third"]);
    }

    [Fact]
    public void A_later_attempt_reported_before_the_retry_of_the_earlier_one_completes_after_that_retry()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "t", "type": "tool", "tool": "x" } ] }""");
        var command = run.Pending("t");

        run.HandlePersisted(new StepSucceeded(command.ExecutionId, 3, JsonValue.Create("ok")));
        run.HandlePersisted(new StepRetryScheduled(command.ExecutionId, 2, 3, TimeSpan.FromSeconds(2), "Transient", "second"));
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.HandlePersisted(new StepRetryScheduled(command.ExecutionId, 1, 2, TimeSpan.FromSeconds(1), "Transient", "first"));

        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal([("step-retry", 1), ("step-retry", 2), ("step-complete", 3)],
            run.Events.Where(e => e.Path == "t" && e.Type != "step-start").Select(e => (e.Type, e.Attempt!.Value)));
    }

    [Fact]
    public void A_worker_refusing_an_expired_command_moves_the_step_on_as_its_timeout_would()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "t", "type": "tool", "tool": "x", "timeout": "PT10S", "retry": { "maxAttempts": 2, "initialInterval": "PT1S" } } ] }
            """);
        var command = run.Pending("t");
        Assert.Equal(run.Now + TimeSpan.FromSeconds(12), command.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(10), run.Sends.Single().TimeToLive);

        run.HandlePersisted(new StepAttemptExpired(command.ExecutionId, 1));
        run.HandlePersisted(new StepAttemptExpired(command.ExecutionId, 1));
        Assert.Equal(("step-retry", 1), (run.Events[^1].Type, run.Events[^1].Attempt));
        Assert.Single(run.Events, e => e.Type == "step-retry");

        run.Advance(TimeSpan.FromSeconds(1));
        var second = run.Pending("t");
        Assert.Equal((2, run.Now + TimeSpan.FromSeconds(12)), (second.Attempt, second.Deadline));
        run.HandlePersisted(new StepAttemptExpired(second.ExecutionId, 2));

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Equal("Timeout", run.Events.Single(e => e.Type == "step-error").Data!.Value.GetProperty("error").GetProperty("type").GetString());
    }
}
