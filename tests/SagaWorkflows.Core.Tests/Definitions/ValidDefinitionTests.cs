using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Nodes;

namespace SagaWorkflows.Core.Tests.Definitions;

public class ValidDefinitionTests
{
    private static WorkflowDefinition Parse(string json)
    {
        var result = WorkflowDefinitionParser.Parse(json);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        return result.Definition!;
    }

    private static T Single<T>(string stepJson) where T : StepDefinition =>
        Assert.IsType<T>(Assert.Single(Parse($$"""{ "id": "w", "steps": [ {{stepJson}} ] }""").Steps));

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
    public void Ai_step_reads_model_prompts_output_schema_retry_and_timeout()
    {
        var ai = Single<AiStep>("""
            { "id": "summary", "type": "ai", "model": "default",
              "system": "You are terse.", "prompt": "Summarise order ${ input.orderId }",
              "outputSchema": { "type": "object", "required": ["text"] },
              "retry": { "maxAttempts": 2 }, "timeout": "PT2M" }
            """);

        Assert.Equal("ai", ai.Type);
        Assert.Equal("default", ai.Model);
        Assert.Equal("You are terse.", ai.System);
        Assert.Equal("Summarise order ${ input.orderId }", ai.Prompt);
        Assert.Equal("""{"type":"object","required":["text"]}""", ai.OutputSchema!.ToJsonString());
        Assert.Equal(2, ai.Retry!.MaxAttempts);
        Assert.Equal(TimeSpan.FromMinutes(2), ai.Timeout);
    }

    [Fact]
    public void Ai_step_needs_only_model_and_prompt()
    {
        var ai = Single<AiStep>("""{ "id": "s", "type": "ai", "model": "default", "prompt": "Hi" }""");

        Assert.Null(ai.System);
        Assert.Null(ai.OutputSchema);
        Assert.Null(ai.Retry);
        Assert.Null(ai.Timeout);
    }

    [Fact]
    public void Parallel_step_keeps_its_branches_in_definition_order_with_nested_paths()
    {
        var parallel = Single<ParallelStep>("""
            { "id": "ship", "type": "parallel", "branches": {
                "label":  [ { "id": "makeLabel", "type": "tool", "tool": "shipping.label" },
                            { "id": "print", "type": "tool", "tool": "printer" } ],
                "notify": [ { "id": "email", "type": "tool", "tool": "mail.send" } ],
                "nothing": [] } }
            """);

        Assert.Equal("parallel", parallel.Type);
        Assert.Equal(["label", "notify", "nothing"], parallel.Branches.Select(b => b.Key));
        Assert.Equal(["makeLabel", "print"], parallel.Branches[0].Value.Select(s => s.Id));
        Assert.Equal("$.steps[0].branches.label[1]", parallel.Branches[0].Value[1].JsonPath);
        Assert.Equal("mail.send", Assert.IsType<ToolStep>(Assert.Single(parallel.Branches[1].Value)).Tool);
        Assert.Empty(parallel.Branches[2].Value);
    }

    [Fact]
    public void Foreach_step_concurrency_defaults_to_1()
    {
        var each = Single<ForeachStep>("""
            { "id": "perItem", "type": "foreach", "items": "input.items",
              "steps": [ { "id": "charge", "type": "tool", "tool": "payments.charge", "input": "${ item }" } ] }
            """);

        Assert.Equal("foreach", each.Type);
        Assert.Equal("input.items", each.Items);
        Assert.Equal(1, each.Concurrency);
        var charge = Assert.IsType<ToolStep>(Assert.Single(each.Steps));
        Assert.Equal("\"${ item }\"", charge.Input!.ToJsonString());
        Assert.Equal("$.steps[0].steps[0]", charge.JsonPath);
    }

    [Fact]
    public void Foreach_step_reads_concurrency_and_accepts_a_delimited_items_expression()
    {
        var each = Single<ForeachStep>("""
            { "id": "perItem", "type": "foreach", "items": "${ input.items.filter(i => i.qty > 0) }", "concurrency": 4,
              "steps": [ { "id": "charge", "type": "tool", "tool": "pay" } ] }
            """);

        Assert.Equal(4, each.Concurrency);
        Assert.Equal("${ input.items.filter(i => i.qty > 0) }", each.Items);
    }

    [Fact]
    public void Loop_step_is_do_until_with_max_iterations_defaulting_to_100()
    {
        var loop = Single<LoopStep>("""
            { "id": "poll", "type": "loop", "until": "steps.check.done",
              "steps": [ { "id": "check", "type": "tool", "tool": "carrier.status" } ] }
            """);

        Assert.Equal("loop", loop.Type);
        Assert.Equal("steps.check.done", loop.Until);
        Assert.Null(loop.While);
        Assert.Equal(100, loop.MaxIterations);
        Assert.Equal(LoopStep.DefaultMaxIterations, loop.MaxIterations);
        Assert.Equal("check", Assert.Single(loop.Steps).Id);
    }

    [Fact]
    public void Loop_step_can_be_do_while_with_its_own_max_iterations()
    {
        var loop = Single<LoopStep>("""
            { "id": "poll", "type": "loop", "while": "iteration < 3", "maxIterations": 20,
              "steps": [ { "id": "check", "type": "tool", "tool": "carrier.status" } ] }
            """);

        Assert.Null(loop.Until);
        Assert.Equal("iteration < 3", loop.While);
        Assert.Equal(20, loop.MaxIterations);
    }

    [Fact]
    public void Branch_step_reads_cases_in_order_and_default()
    {
        var branch = Single<BranchStep>("""
            { "id": "route", "type": "branch",
              "cases": [ { "when": "input.total > 1000", "steps": [ { "id": "review", "type": "wait", "signal": "approval", "timeout": "P1D" } ] },
                         { "when": "input.total > 100", "steps": [] } ],
              "default": [ { "id": "auto", "type": "tool", "tool": "echo" } ] }
            """);

        Assert.Equal("branch", branch.Type);
        Assert.Equal(["input.total > 1000", "input.total > 100"], branch.Cases.Select(c => c.When));
        Assert.Equal("review", Assert.Single(branch.Cases[0].Steps).Id);
        Assert.Empty(branch.Cases[1].Steps);
        Assert.Equal("auto", Assert.Single(branch.Default).Id);
        Assert.Equal("$.steps[0].cases[0].steps[0]", branch.Cases[0].Steps[0].JsonPath);
    }

    [Fact]
    public void Branch_step_default_is_empty_when_left_out()
    {
        var branch = Single<BranchStep>("""
            { "id": "route", "type": "branch", "cases": [ { "when": "true", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] } ] }
            """);

        Assert.Empty(branch.Default);
    }

    [Fact]
    public void Wait_step_reads_signal_payload_schema_and_timeout()
    {
        var wait = Single<WaitStep>("""
            { "id": "review", "type": "wait", "signal": "approval", "timeout": "P1D",
              "schema": { "type": "object", "required": ["approved"] } }
            """);

        Assert.Equal("wait", wait.Type);
        Assert.Equal("approval", wait.Signal);
        Assert.Equal(TimeSpan.FromDays(1), wait.Timeout);
        Assert.Equal("""{"type":"object","required":["approved"]}""", wait.Schema!.ToJsonString());
    }

    [Fact]
    public void Wait_step_without_timeout_waits_indefinitely()
    {
        var wait = Single<WaitStep>("""{ "id": "review", "type": "wait", "signal": "approval" }""");

        Assert.Null(wait.Timeout);
        Assert.Null(wait.Schema);
    }

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
