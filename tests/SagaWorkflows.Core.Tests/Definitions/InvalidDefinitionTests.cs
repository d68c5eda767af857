using SagaWorkflows.Core.Definitions;

using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Definitions;

public class InvalidDefinitionTests
{
    [Fact]
    public void Validation_error_prints_as_path_colon_message()
    {
        var error = new ValidationError("$.steps[2].branches.label[0].retry.backoffRate", "must be >= 1");

        Assert.Equal("$.steps[2].branches.label[0].retry.backoffRate: must be >= 1", error.ToString());
    }

    [Fact]
    public void Backoff_rate_below_1_is_reported_at_its_nested_path()
    {
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "a", "type": "tool", "tool": "echo" },
                { "id": "b", "type": "tool", "tool": "echo" },
                { "id": "ship", "type": "parallel", "branches": {
                    "label": [ { "id": "makeLabel", "type": "tool", "tool": "shipping.label", "retry": { "backoffRate": 0.5 } } ] } } ] }
            """,
            "$.steps[2].branches.label[0].retry.backoffRate: must be >= 1");
    }

    [Fact]
    public void Duplicate_ids_name_where_the_id_was_first_used_even_across_nesting()
    {
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "charge", "type": "tool", "tool": "echo" },
                { "id": "perItem", "type": "foreach", "items": "input.items",
                  "steps": [ { "id": "charge", "type": "tool", "tool": "pay" } ] },
                { "id": "perItem", "type": "tool", "tool": "echo" } ] }
            """,
            "$.steps[1].steps[0].id: duplicate step id 'charge' (first used at $.steps[0])",
            "$.steps[2].id: duplicate step id 'perItem' (first used at $.steps[1])");
    }

    [Fact]
    public void Unknown_step_type_lists_the_known_ones()
    {
        AssertStepErrors("""{ "id": "a", "type": "teleport", "destination": "mars" }""",
            "$.steps[0].type: unknown step type 'teleport'; expected one of tool, ai, parallel, foreach, loop, branch, wait, sleep, workflow");
    }

    [Fact]
    public void Unknown_properties_are_reported_where_they_are()
    {
        AssertErrors("""
            { "id": "w", "author": "me", "steps": [
                { "id": "a", "type": "tool", "tool": "echo", "timout": "PT1S",
                  "retry": { "maxAttempt": 3 }, "compensate": { "tool": "undo", "inputs": {} } },
                { "id": "b", "type": "branch", "cases": [ { "when": "true", "steps": [], "else": [] } ] },
                { "id": "c", "type": "sleep", "duration": "PT1S", "tool": "echo" },
                { "id": "d", "type": "wait", "signal": "go", "my-note": 1 } ] }
            """,
            "$.author: is not a known property",
            "$.steps[0].timout: is not a known property",
            "$.steps[0].compensate.inputs: is not a known property",
            "$.steps[0].retry.maxAttempt: is not a known property",
            "$.steps[1].cases[0].else: is not a known property",
            "$.steps[2].tool: is not a known property",
            "$.steps[3]['my-note']: is not a known property");
    }

    [Fact]
    public void Workflow_id_and_steps_are_required()
    {
        AssertErrors("""{ "version": 1 }""",
            "$.id: is required",
            "$.steps: is required");
    }

    [Fact]
    public void Workflow_needs_at_least_one_step_and_a_non_blank_id()
    {
        AssertErrors("""{ "id": "  ", "steps": [] }""",
            "$.id: must not be empty",
            "$.steps: must contain at least one step");
    }

    [Fact]
    public void Workflow_level_types_are_checked()
    {
        AssertErrors("""
            { "id": 7, "version": 0, "name": 1, "inputSchema": "object", "timeout": "soon", "steps": {} }
            """,
            "$.id: must be a string",
            "$.name: must be a string",
            "$.version: must be >= 1",
            "$.inputSchema: must be a JSON Schema object",
            "$.timeout: must be an ISO 8601 duration such as PT30S or P1D, not \"soon\"",
            "$.steps: must be an array of steps");
    }

    [Fact]
    public void Root_must_be_an_object()
    {
        AssertErrors("""[ { "id": "w" } ]""", "$: must be a JSON object");
    }

    [Fact]
    public void Steps_need_an_id_and_a_type_and_must_be_objects()
    {
        AssertErrors("""
            { "id": "w", "steps": [ { "type": "tool", "tool": "echo" }, { "id": "b" }, "c", { "id": "d e", "type": "tool", "tool": "echo" } ] }
            """,
            "$.steps[0].id: is required",
            "$.steps[1].type: is required",
            "$.steps[2]: must be a step object",
            "$.steps[3].id: 'd e' is not a valid id: use letters, digits, '_' or '-', starting with a letter or '_'");
    }

    [Fact]
    public void Each_node_type_reports_its_missing_required_fields()
    {
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "t", "type": "tool" },
                { "id": "a", "type": "ai" },
                { "id": "p", "type": "parallel" },
                { "id": "f", "type": "foreach" },
                { "id": "l", "type": "loop" },
                { "id": "b", "type": "branch" },
                { "id": "w", "type": "wait" },
                { "id": "s", "type": "sleep" } ] }
            """,
            "$.steps[0].tool: is required",
            "$.steps[1].prompt: is required",
            "$.steps[1].model: is required",
            "$.steps[2].branches: is required",
            "$.steps[3].items: is required",
            "$.steps[3].steps: is required",
            "$.steps[4].until: is required (or 'while')",
            "$.steps[4].steps: is required",
            "$.steps[5].cases: is required",
            "$.steps[6].signal: is required",
            "$.steps[7].duration: is required (or 'until')");
    }

    [Fact]
    public void Container_shapes_are_checked()
    {
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "p1", "type": "parallel", "branches": {} },
                { "id": "p2", "type": "parallel", "branches": [] },
                { "id": "p3", "type": "parallel", "branches": { "x": {} , "y": null } },
                { "id": "f", "type": "foreach", "items": "input.items", "steps": [] },
                { "id": "b1", "type": "branch", "cases": [] },
                { "id": "b2", "type": "branch", "cases": {} },
                { "id": "b3", "type": "branch", "cases": [ 1, { "when": "true" } ], "default": {} } ] }
            """,
            "$.steps[0].branches: must name at least one branch",
            "$.steps[1].branches: must be an object of branch name → steps",
            "$.steps[2].branches.x: must be an array of steps",
            "$.steps[2].branches.y: must be an array of steps",
            "$.steps[3].steps: must contain at least one step",
            "$.steps[4].cases: must contain at least one case",
            "$.steps[5].cases: must be an array of { when, steps }",
            "$.steps[6].cases[0]: must be an object with 'when' and 'steps'",
            "$.steps[6].cases[1].steps: is required",
            "$.steps[6].default: must be an array of steps");
    }

    [Fact]
    public void Integers_must_be_whole_numbers_at_or_above_their_minimum()
    {
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "f", "type": "foreach", "items": "input.items", "concurrency": 0, "steps": [ { "id": "x", "type": "tool", "tool": "echo" } ] },
                { "id": "l", "type": "loop", "until": "true", "maxIterations": 2.5, "steps": [ { "id": "y", "type": "tool", "tool": "echo" } ] },
                { "id": "t", "type": "tool", "tool": "echo", "retry": { "maxAttempts": "3" } } ] }
            """,
            "$.steps[0].concurrency: must be >= 1",
            "$.steps[1].maxIterations: must be an integer >= 1",
            "$.steps[2].retry.maxAttempts: must be an integer >= 1");
    }

    [Fact]
    public void Retry_policy_problems_are_each_reported()
    {
        AssertStepErrors("""
            { "id": "t", "type": "tool", "tool": "echo",
              "retry": { "maxAttempts": 0, "initialInterval": "PT0S", "backoffRate": "fast", "maxInterval": "30s",
                         "jitter": "half", "retryOn": "Transient", "nonRetryable": [1] } }
            """,
            "$.steps[0].retry.initialInterval: must be greater than zero",
            "$.steps[0].retry.backoffRate: must be a number",
            "$.steps[0].retry.jitter: must be 'none' or 'full', not 'half'",
            "$.steps[0].retry.maxAttempts: must be >= 1",
            "$.steps[0].retry.maxInterval: must be an ISO 8601 duration such as PT30S or P1D, not \"30s\"",
            "$.steps[0].retry.retryOn: must be an array of error type names",
            "$.steps[0].retry.nonRetryable: must be an array of error type names");
    }

    [Theory]
    [InlineData("\"5 minutes\"", "must be an ISO 8601 duration such as PT30S or P1D, not \"5 minutes\"")]
    [InlineData("\"30s\"", "must be an ISO 8601 duration such as PT30S or P1D, not \"30s\"")]
    [InlineData("\"P1W\"", "must be an ISO 8601 duration such as PT30S or P1D, not \"P1W\"")]
    [InlineData("\"PT\"", "must be an ISO 8601 duration such as PT30S or P1D, not \"PT\"")]
    [InlineData("\"P1DT\"", "must be an ISO 8601 duration such as PT30S or P1D, not \"P1DT\"")]
    [InlineData("\"pt30s\"", "must be an ISO 8601 duration such as PT30S or P1D, not \"pt30s\"")]
    [InlineData("\"PT30S \"", "must be an ISO 8601 duration such as PT30S or P1D, not \"PT30S \"")]
    [InlineData("\"\"", "must be an ISO 8601 duration such as PT30S or P1D, not \"\"")]
    [InlineData("30", "must be an ISO 8601 duration such as PT30S or P1D, not 30")]
    [InlineData("\"-PT5S\"", "must not be negative")]
    public void Bad_durations_are_rejected_with_what_was_given(string duration, string message)
    {
        AssertStepErrors($$"""{ "id": "s", "type": "sleep", "duration": {{duration}} }""", "$.steps[0].duration: " + message);
    }

    [Fact]
    public void Bad_condition_expressions_are_reported_with_the_javascript_syntax_error()
    {
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "f", "type": "foreach", "items": "input.items +", "steps": [ { "id": "x", "type": "tool", "tool": "echo" } ] },
                { "id": "l", "type": "loop", "until": "steps.x.done ===", "steps": [ { "id": "y", "type": "tool", "tool": "echo" } ] },
                { "id": "l2", "type": "loop", "while": "a b", "steps": [ { "id": "z", "type": "tool", "tool": "echo" } ] },
                { "id": "b", "type": "branch", "cases": [ { "when": "x; y", "steps": [] }, { "when": "  ", "steps": [] } ] } ] }
            """,
            "$.steps[0].items: invalid expression: unexpected end of expression",
            "$.steps[1].until: invalid expression: unexpected end of expression",
            "$.steps[2].while: invalid expression: unexpected identifier 'b' at column 3",
            "$.steps[3].cases[0].when: invalid expression: unexpected token ';' at column 2",
            "$.steps[3].cases[1].when: invalid expression: the expression is empty");
    }

    [Fact]
    public void Statements_cannot_pass_for_expressions()
    {
        AssertStepErrors("""
            { "id": "l", "type": "loop", "until": "while (true) {}", "steps": [ { "id": "x", "type": "tool", "tool": "echo" } ] }
            """,
            "$.steps[0].until: invalid expression: unexpected token 'while' at column 1");
    }

    [Fact]
    public void Bad_templates_are_reported_at_the_exact_input_path()
    {
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "t", "type": "tool", "tool": "echo",
                  "input": { "a": { "b": [ "ok", "${ input. }" ] }, "c": "x ${ steps.t", "d": "${}" } },
                { "id": "s", "type": "ai", "model": "default", "system": "${ 1 + }", "prompt": "Hi ${ input.name" } ],
              "output": { "label": "${ steps.t.a b }" } }
            """,
            "$.output.label: invalid expression `steps.t.a b`: unexpected identifier 'b' at column 11",
            "$.steps[0].input.a.b[1]: invalid expression `input.`: unexpected end of expression",
            "$.steps[0].input.c: unterminated '${' at position 3",
            "$.steps[0].input.d: invalid expression ``: the expression is empty",
            "$.steps[1].prompt: unterminated '${' at position 4",
            "$.steps[1].system: invalid expression `1 +`: unexpected end of expression");
    }

    [Fact]
    public void Strings_must_not_be_empty_and_schemas_must_be_objects()
    {
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "t", "type": "tool", "tool": "" },
                { "id": "a", "type": "ai", "model": "default", "prompt": "Hi", "outputSchema": true },
                { "id": "x", "type": "wait", "signal": 5, "schema": [] } ] }
            """,
            "$.steps[0].tool: must not be empty",
            "$.steps[1].outputSchema: must be a JSON Schema object",
            "$.steps[2].signal: must be a string",
            "$.steps[2].schema: must be a JSON Schema object");
    }

    [Fact]
    public void Malformed_json_is_reported_with_line_and_column()
    {
        AssertErrors("{\n  \"id\": \"w\",\n  \"steps\": [ } ]\n}",
            "$: invalid JSON at line 3, column 14: '}' is an invalid start of a value");
    }

    [Fact]
    public void Malformed_json_column_counts_characters_not_utf8_bytes()
    {
        AssertErrors("""{ "id": "café-ü", } x""",
            "$: invalid JSON at line 1, column 21: 'x' is invalid after a single JSON value. Expected end of data");
    }

    [Fact]
    public void Truncated_json_is_reported_on_one_line()
    {
        var result = WorkflowDefinitionParser.Parse("{\n  \"id\": \"w\",\n  \"steps\": [ tru\n  ]\n}");

        var error = Assert.Single(result.Errors);
        Assert.Equal("$", error.Path);
        Assert.StartsWith("invalid JSON at line 3, column ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_text_is_invalid_json()
    {
        AssertErrors("",
            "$: invalid JSON at line 1, column 1: The input does not contain any JSON tokens. Expected the input to start with a valid JSON token, when isFinalBlock is true");
    }

    [Fact]
    public void Duplicate_properties_are_reported_with_their_path_and_location_instead_of_crashing()
    {
        AssertErrors("""
            { "id": "w",
              "steps": [ { "id": "a", "type": "tool", "tool": "echo", "tool": "other" } ],
              "id": "again" }
            """,
            "$.steps[0].tool: duplicate property at line 2, column 59",
            "$.id: duplicate property at line 3, column 3");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "reserve", "type": "tool", "retry": { "backoffRate": 0.5 } },
                { "id": "reserve", "type": "sleep", "duration": "tomorrow" },
                { "id": "route", "type": "branch", "cases": [ { "when": "input.total >", "steps": [] } ] } ] }
            """,
            "$.steps[0].tool: is required",
            "$.steps[0].retry.backoffRate: must be >= 1",
            "$.steps[1].id: duplicate step id 'reserve' (first used at $.steps[0])",
            "$.steps[1].duration: must be an ISO 8601 duration such as PT30S or P1D, not \"tomorrow\"",
            "$.steps[2].cases[0].when: invalid expression: unexpected end of expression");
    }
}
