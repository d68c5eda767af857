using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Nodes;

using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Definitions;

public class ValidDefinitionTests
{
    [Fact]
    public void Workflow_properties_are_read_and_the_source_text_is_kept_as_the_snapshot()
    {
        const string json = """
            {
              "$schema": "../schemas/workflow.schema.json",
              "id": "order-fulfillment", "version": 3, "name": "Orders", "description": "Ships orders",
              "inputSchema": { "type": "object", "required": ["orderId"] },
              "timeout": "PT1H",
              "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ],
              "output": { "label": "${ steps.a.label }" }
            }
            """;

        var workflow = Parse(json);

        Assert.Equal("order-fulfillment", workflow.Id);
        Assert.Equal(3, workflow.Version);
        Assert.Equal("""{"type":"object","required":["orderId"]}""", workflow.InputSchema!.ToJsonString());
        Assert.Equal(TimeSpan.FromHours(1), workflow.Timeout);
        Assert.Equal("""{"label":"${ steps.a.label }"}""", workflow.Output!.ToJsonString());
        Assert.Equal(json, workflow.Json);
    }

    [Fact]
    public void Version_defaults_to_1_and_timeout_input_schema_and_output_to_none()
    {
        var workflow = Parse("""{ "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""");

        Assert.Equal(1, workflow.Version);
        Assert.Null(workflow.Timeout);
        Assert.Null(workflow.InputSchema);
        Assert.Null(workflow.Output);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_accepted()
    {
        var workflow = Parse("""
            {
              // designers leave notes
              "id": "w",
              "steps": [ { "id": "a", "type": "tool", "tool": "echo", }, ],
            }
            """);

        Assert.Equal("a", Assert.Single(workflow.Steps).Id);
    }

    [Fact]
    public void Steps_may_carry_a_name_and_description_for_designers()
    {
        var tool = Single<ToolStep>("""{ "id": "a", "type": "tool", "tool": "echo", "name": "Echo", "description": "Says it back" }""");

        Assert.Equal("echo", tool.Tool);
    }

    [Fact]
    public void Ids_may_use_letters_digits_underscores_and_dashes()
    {
        var workflow = Parse("""
            { "id": "w", "steps": [ { "id": "_a-1", "type": "tool", "tool": "echo" }, { "id": "B_2", "type": "tool", "tool": "echo" } ] }
            """);

        Assert.Equal(["_a-1", "B_2"], workflow.Steps.Select(s => s.Id));
    }

    [Fact]
    public void Templates_may_hold_typed_placeholders_interpolation_and_nested_structures()
    {
        var tool = Single<ToolStep>("""
            { "id": "a", "type": "tool", "tool": "echo",
              "input": { "whole": "${ input }", "text": "n=${ input.n } of ${ input.total }", "list": [ "${ index }", 1, null, true ],
                         "obj": "${ { a: 1, b: [2] } }", "plain": "no placeholders" } }
            """);

        Assert.IsType<JsonObject>(tool.Input);
    }

    [Fact]
    public void The_product_brief_example_is_valid()
    {
        var workflow = Parse(ProductBriefExample);

        Assert.Equal(["reserve", "summary", "ship", "perItem", "poll", "route"], workflow.Steps.Select(s => s.Id));
        Assert.Equal(["tool", "ai", "parallel", "foreach", "loop", "branch"], workflow.Steps.Select(s => s.Type));
        Assert.Equal(4, ((ForeachStep)workflow.Steps[3]).Concurrency);
        Assert.Equal(20, ((LoopStep)workflow.Steps[4]).MaxIterations);
    }

    internal const string ProductBriefExample = """
        {
          "id": "order-fulfillment", "version": 1,
          "inputSchema": { "type": "object", "required": ["orderId"] },
          "steps": [
            { "id": "reserve", "type": "tool", "tool": "inventory.reserve",
              "input": { "sku": "${ input.sku }", "qty": "${ input.qty }" },
              "retry": { "maxAttempts": 5, "initialInterval": "PT1S", "backoffRate": 2.0,
                         "maxInterval": "PT30S", "jitter": "full", "nonRetryable": ["OutOfStock"] },
              "timeout": "PT30S",
              "compensate": { "tool": "inventory.release", "input": { "reservationId": "${ steps.reserve.id }" } } },
            { "id": "summary", "type": "ai", "model": "default",
              "prompt": "Write a one-line summary of order ${ input.orderId }",
              "outputSchema": { "type": "object", "required": ["text"] } },
            { "id": "ship", "type": "parallel", "branches": {
                "label":  [ { "id": "makeLabel", "type": "tool", "tool": "shipping.label" } ],
                "notify": [ { "id": "email", "type": "tool", "tool": "mail.send" } ] } },
            { "id": "perItem", "type": "foreach", "items": "input.items", "concurrency": 4,
              "steps": [ { "id": "charge", "type": "tool", "tool": "payments.charge", "input": "${ item }" } ] },
            { "id": "poll", "type": "loop", "until": "steps.check.done", "maxIterations": 20,
              "steps": [ { "id": "check", "type": "tool", "tool": "carrier.status" } ] },
            { "id": "route", "type": "branch",
              "cases": [ { "when": "input.total > 1000", "steps": [ { "id": "review", "type": "wait", "signal": "approval", "timeout": "P1D" } ] } ],
              "default": [] }
          ],
          "output": { "label": "${ steps.ship.label }" }
        }
        """;
}
