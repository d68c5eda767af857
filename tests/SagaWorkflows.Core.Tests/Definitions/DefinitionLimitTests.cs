using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Core.Tests.Definitions;

/// <summary>
/// Every size a definition chooses is bounded, and the parser says which limit was hit and where: the
/// parser is what <c>sagawf validate</c> and the orchestrator both run, so they agree.
/// </summary>
public sealed class DefinitionLimitTests
{
    private static List<string> Errors(string json, WorkflowLimits? limits = null)
    {
        var result = WorkflowDefinitionParser.Parse(json, limits ?? WorkflowLimits.Default);
        Assert.False(result.IsValid);
        return result.Errors.Select(e => e.ToString()).ToList();
    }

    private static string Step(string body) => $$"""{ "id": "w", "steps": [ {{body}} ] }""";

    [Fact]
    public void A_definition_longer_than_the_limit_is_refused_before_it_is_parsed()
    {
        var json = Step("""{ "id": "a", "type": "tool", "tool": "echo", "input": { "x": "PAD" } }""").Replace("PAD", new string('x', 3_000_000), StringComparison.Ordinal);

        var error = Assert.Single(Errors(json));
        Assert.StartsWith("$: the definition is 3000", error, StringComparison.Ordinal);
        Assert.Contains("MaxDefinitionLength", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_of_megabytes_is_refused_with_its_length_not_its_text()
    {
        var id = new string('a', 1_000_000);

        var error = Assert.Single(Errors(Step($$"""{ "id": "{{id}}", "type": "tool", "tool": "echo" }""")));

        Assert.Equal("$.steps[0].id: the id is 1000000 characters long; the limit is 128 (SagaWorkflows:Limits:MaxIdLength)", error);
    }

    [Theory]
    [InlineData("""{ "id": "a", "type": "tool", "tool": "TOOL" }""", "$.steps[0].tool")]
    [InlineData("""{ "id": "a", "type": "ai", "model": "TOOL", "prompt": "p" }""", "$.steps[0].model")]
    [InlineData("""{ "id": "a", "type": "wait", "signal": "TOOL" }""", "$.steps[0].signal")]
    public void Names_are_bounded_like_ids(string step, string path)
    {
        var error = Assert.Single(Errors(Step(step.Replace("TOOL", new string('t', 129), StringComparison.Ordinal))));

        Assert.StartsWith(path + ": the ", error, StringComparison.Ordinal);
        Assert.Contains("MaxIdLength", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_workflow_id_is_bounded()
    {
        var error = Assert.Single(Errors($$"""{ "id": "{{new string('w', 200)}}", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }"""));

        Assert.StartsWith("$.id: the id is 200 characters long", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_steps_are_reported_once_at_the_first_step_beyond_the_limit()
    {
        var steps = string.Join(",", Enumerable.Range(0, 12).Select(i => $$"""{ "id": "s{{i}}", "type": "tool", "tool": "echo" }"""));

        var error = Assert.Single(Errors($$"""{ "id": "w", "steps": [ {{steps}} ] }""", new WorkflowLimits { MaxSteps = 10 }));

        Assert.Equal("$.steps[10]: the definition has more than 10 steps (SagaWorkflows:Limits:MaxSteps)", error);
    }

    [Fact]
    public void Steps_left_unread_past_the_limit_are_not_reported_missing_by_the_expressions_that_read_them()
    {
        var json = """
            { "id": "w", "steps": [ { "id": "a", "type": "tool", "tool": "echo" }, { "id": "b", "type": "tool", "tool": "echo" },
                                    { "id": "c", "type": "tool", "tool": "echo" } ],
              "output": { "last": "${ steps.c }", "typo": "${ steps.a.x + steps.b }" } }
            """;

        Assert.Equal(["$.steps[2]: the definition has more than 2 steps (SagaWorkflows:Limits:MaxSteps)"], Errors(json, new WorkflowLimits { MaxSteps = 2 }));
    }

    [Fact]
    public void Containers_nested_beyond_the_limit_are_refused_at_the_first_too_deep()
    {
        var inner = """{ "id": "leaf", "type": "tool", "tool": "echo" }""";
        for (var i = 0; i < 20; i++)
        {
            inner = $$"""{ "id": "l{{i}}", "type": "loop", "until": "true", "steps": [ {{inner}} ] }""";
        }

        var errors = Errors(Step(inner));

        var error = Assert.Single(errors);
        Assert.EndsWith(": containers nest deeper than 16 levels (SagaWorkflows:Limits:MaxNestingDepth)", error, StringComparison.Ordinal);
        Assert.StartsWith("$.steps[0]" + string.Concat(Enumerable.Repeat(".steps[0]", 16)) + ":", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "id": "l", "type": "loop", "until": "true", "maxIterations": 2147483647, "steps": [ { "id": "a", "type": "sleep", "duration": "PT0S" } ] }""",
        "$.steps[0].maxIterations: must be <= 10000 (SagaWorkflows:Limits:MaxLoopIterations)")]
    [InlineData("""{ "id": "f", "type": "foreach", "items": "[]", "concurrency": 100000, "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""",
        "$.steps[0].concurrency: must be <= 1000 (SagaWorkflows:Limits:MaxConcurrency)")]
    [InlineData("""{ "id": "a", "type": "tool", "tool": "echo", "retry": { "maxAttempts": 2000000000 } }""",
        "$.steps[0].retry.maxAttempts: must be <= 1000 (SagaWorkflows:Limits:MaxAttempts)")]
    [InlineData("""{ "id": "a", "type": "tool", "tool": "echo", "retry": { "backoffRate": 1e309 } }""",
        "$.steps[0].retry.backoffRate: must be a finite number, not 1e309")]
    [InlineData("""{ "id": "a", "type": "tool", "tool": "echo", "retry": { "backoffRate": 1e300 } }""",
        "$.steps[0].retry.backoffRate: must be <= 100 (SagaWorkflows:Limits:MaxBackoffRate)")]
    [InlineData("""{ "id": "a", "type": "sleep", "duration": "P5000000D" }""",
        "$.steps[0].duration: must be at most P3650D (SagaWorkflows:Limits:MaxDuration)")]
    [InlineData("""{ "id": "a", "type": "wait", "signal": "go", "timeout": "P9999999D" }""",
        "$.steps[0].timeout: must be at most P3650D (SagaWorkflows:Limits:MaxDuration)")]
    [InlineData("""{ "id": "a", "type": "tool", "tool": "echo", "retry": { "initialInterval": "P4000D" } }""",
        "$.steps[0].retry.initialInterval: must be at most P3650D (SagaWorkflows:Limits:MaxDuration)")]
    public void Values_the_runtime_cannot_use_are_refused(string step, string expected)
    {
        Assert.Equal([expected], Errors(Step(step)));
    }

    [Fact]
    public void A_run_timeout_beyond_the_clock_is_refused()
    {
        Assert.Equal(["$.timeout: must be at most P3650D (SagaWorkflows:Limits:MaxDuration)"],
            Errors("""{ "id": "w", "timeout": "P5000000D", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }"""));
    }

    [Fact]
    public void Expressions_longer_than_the_limit_are_refused_in_conditions_and_templates()
    {
        var longExpression = string.Join(" + ", Enumerable.Repeat("input.n", 1000));

        var errors = Errors(Step($$"""
            { "id": "l", "type": "loop", "until": "{{longExpression}}", "steps": [
              { "id": "a", "type": "tool", "tool": "echo", "input": { "x": "${ {{longExpression}} }" } } ] }
            """));

        Assert.Equal(2, errors.Count);
        Assert.StartsWith("$.steps[0].until: the expression is 9997 characters long; the limit is 4096", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("$.steps[0].steps[0].input.x: the expression at position 1 is 9997 characters long; the limit is 4096", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_expressions_are_a_validation_error_not_a_crash()
    {
        var deep = new string('(', 2000) + "1" + new string(')', 2000);

        var error = Assert.Single(Errors(Step($$"""{ "id": "a", "type": "tool", "tool": "echo", "input": "${ {{deep}} }" }""")));

        Assert.StartsWith("$.steps[0].input: invalid expression", error, StringComparison.Ordinal);
        Assert.Contains("nest deeper than 64", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_limits_apply_and_bad_limits_are_described()
    {
        var json = Step("""{ "id": "a", "type": "loop", "until": "true", "maxIterations": 50, "steps": [ { "id": "b", "type": "tool", "tool": "echo" } ] }""");

        Assert.True(WorkflowDefinitionParser.Parse(json).IsValid);
        Assert.Equal(["$.steps[0].maxIterations: must be <= 10 (SagaWorkflows:Limits:MaxLoopIterations)"],
            Errors(json, new WorkflowLimits { MaxLoopIterations = 10 }));
        Assert.Equal(["SagaWorkflows:Limits:MaxSteps must be positive, not 0"], new WorkflowLimits { MaxSteps = 0 }.Check());
        Assert.Empty(WorkflowLimits.Default.Check());
    }
}
