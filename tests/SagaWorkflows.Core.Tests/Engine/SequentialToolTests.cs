using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

public class SequentialToolTests
{
    private const string ThreeSteps = """
    {
      "id": "orders", "version": 2,
      "steps": [
        { "id": "reserve", "type": "tool", "tool": "inventory.reserve", "input": { "sku": "${ input.sku }", "qty": "${ input.qty * 2 }" } },
        { "id": "price", "type": "tool", "tool": "pricing" },
        { "id": "notify", "type": "tool", "tool": "mail", "input": "Reserved ${ steps.reserve.id } for ${ steps.price.total } EUR" }
      ],
      "output": { "reservation": "${ steps.reserve.id }", "total": "${ steps.price.total }" }
    }
    """;

    [Fact]
    public void Steps_run_one_after_another_with_rendered_inputs_and_previous_output_by_default()
    {
        var run = RunDriver.Start(ThreeSteps, new { sku = "A-1", qty = 3 });

        var reserve = Assert.Single(run.ToolCommands);
        Assert.Equal("inventory.reserve", reserve.Tool);
        Assert.Equal("""{"sku":"A-1","qty":6}""", reserve.Input!.Value.GetRawText());
        Assert.Equal(QueueNames.Tool("inventory.reserve"), Assert.Single(run.Sends).Queue);

        run.Complete("reserve", new { id = "R-9" });
        Assert.Equal("""{"id":"R-9"}""", run.Pending("price").Input!.Value.GetRawText());

        run.Complete("price", new { total = 42.5 });
        Assert.Equal("\"Reserved R-9 for 42.5 EUR\"", run.Pending("notify").Input!.Value.GetRawText());

        run.Complete("notify", "sent");
        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal("""{"reservation":"R-9","total":42.5}""", run.State.Output!.ToJsonString());
        Assert.Null(run.WakeAt);
    }

    [Fact]
    public void The_start_event_carries_the_input_version_and_the_definition_snapshot_the_run_keeps()
    {
        var run = RunDriver.Start(ThreeSteps, new { sku = "A-1", qty = 1 });

        var start = JsonNode.Parse(run.Events[0].Data!.Value.GetRawText())!;
        Assert.Equal("workflow-start", run.Events[0].Type);
        Assert.Equal("A-1", start["input"]!["sku"]!.GetValue<string>());
        Assert.Equal(2, start["version"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ThreeSteps), start["definition"]), start["definition"]?.ToJsonString());
    }

    [Fact]
    public void Events_have_gapless_sequences_from_one_and_the_expected_types()
    {
        var run = RunDriver.Start(ThreeSteps, new { sku = "A-1", qty = 1 });
        run.Complete("reserve", new { id = "R" });
        run.Complete("price", new { total = 1 });
        run.Complete("notify", null);

        Assert.Equal(Enumerable.Range(1, run.Events.Count).Select(i => (long)i), run.Events.Select(e => e.Sequence));
        Assert.Equal(
            ["workflow-start", "step-start", "step-complete", "step-start", "step-complete", "step-start", "step-complete", "workflow-complete"],
            run.Types);
        Assert.All(run.Events, e => Assert.Equal("orders", e.WorkflowId));
        Assert.Equal(["reserve", "reserve", "price", "price", "notify", "notify"], run.Events.Where(e => e.StepId is not null).Select(e => e.Path!));
        Assert.Equal("""{"reservation":"R","total":1}""", JsonNode.Parse(run.Events[^1].Data!.Value.GetRawText())!["output"]!.ToJsonString());
    }

    [Fact]
    public void Without_an_output_template_the_run_outputs_its_last_step_output()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""", new { x = 1 });
        run.Complete("a", new { y = 2 });
        Assert.Equal("""{"y":2}""", run.State.Output!.ToJsonString());
    }

    [Fact]
    public void A_duplicate_or_unknown_reply_changes_nothing()
    {
        var run = RunDriver.Start(ThreeSteps, new { sku = "A", qty = 1 });
        var reserve = run.Pending("reserve");
        run.Complete("reserve", new { id = "R" });
        var eventsBefore = run.Events.Count;

        run.HandlePersisted(new StepSucceeded(reserve.ExecutionId, 1, JsonNode.Parse("""{"id":"other"}""")));
        run.HandlePersisted(new StepSucceeded(Guid.NewGuid(), 1, null));

        Assert.Equal(eventsBefore, run.Events.Count);
        Assert.Equal(2, run.ToolCommands.Count);
    }

    [Fact]
    public void A_failed_step_fails_the_run_with_its_error()
    {
        var run = RunDriver.Start(ThreeSteps, new { sku = "A", qty = 1 });
        run.Fail("reserve", "OutOfStock", "no A left");

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Equal(["workflow-start", "step-start", "step-error", "workflow-error"], run.Types);
        var error = JsonNode.Parse(run.Events[^1].Data!.Value.GetRawText())!["error"]!;
        Assert.Equal("OutOfStock", error["type"]!.GetValue<string>());
        Assert.Equal("reserve", error["path"]!.GetValue<string>());
        Assert.Single(run.ToolCommands);
    }

    [Fact]
    public void An_expression_that_throws_fails_that_step_with_a_clear_error()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "echo", "input": "${ input.missing.deeper }" } ] }""", new { });

        Assert.Equal(RunStatus.Failed, run.State.Status);
        var error = JsonNode.Parse(run.Events.Single(e => e.Type == "step-error").Data!.Value.GetRawText())!["error"]!;
        Assert.Equal("ExpressionError", error["type"]!.GetValue<string>());
        Assert.Contains("input.missing.deeper", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(run.ToolCommands);
    }

    [Fact]
    public void An_expression_that_never_ends_is_stopped_by_the_sandbox()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "echo", "input": "${ (() => { while (true) {} })() }" } ] }""");

        var error = JsonNode.Parse(run.Events.Single(e => e.Type == "step-error").Data!.Value.GetRawText())!["error"]!["message"]!.GetValue<string>();
        Assert.Matches("statements|longer than", error);
        Assert.Equal(RunStatus.Failed, run.State.Status);
    }

    [Fact]
    public void Expressions_have_no_access_to_the_CLR()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "echo", "input": "${ typeof System === 'undefined' && typeof importNamespace === 'undefined' }" } ] }""");
        Assert.Equal("true", run.Pending("a").Input!.Value.GetRawText());
    }

    [Fact]
    public void Input_not_matching_the_input_schema_ends_the_run_before_any_step()
    {
        var run = RunDriver.Start("""
            { "id": "w", "inputSchema": { "type": "object", "required": ["orderId"] },
              "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }
            """, new { other = 1 });

        Assert.Empty(run.ToolCommands);
        Assert.Equal(["workflow-start", "workflow-error"], run.Types);
        var error = JsonNode.Parse(run.Events[^1].Data!.Value.GetRawText())!["error"]!;
        Assert.Equal("$.orderId: is required", error["errors"]![0]!.GetValue<string>());
    }

    [Fact]
    public void A_rejected_definition_reports_every_problem_in_workflow_error()
    {
        var result = WorkflowEngine.Reject(Guid.NewGuid(), "bad", "the definition is invalid", ["$.steps: is required", "$.id: is required"], DateTimeOffset.UnixEpoch);

        var only = Assert.IsType<PublishLifecycleEvent>(Assert.Single(result.Effects)).Event;
        Assert.Equal(("workflow-error", 1L), (only.Type, only.Sequence));
        Assert.Contains("$.steps: is required", only.Data!.Value.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, result.State.Status);
    }
}
