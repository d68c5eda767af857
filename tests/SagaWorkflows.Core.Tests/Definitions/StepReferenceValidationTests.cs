using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Core.Tests.Definitions;

public class StepReferenceValidationTests
{
    private static List<string> Errors(string json) =>
        WorkflowDefinitionParser.Parse(json).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void A_read_of_a_step_that_does_not_exist_is_reported_at_the_field_that_reads_it()
    {
        Assert.Equal(["$.steps[1].input.sku: reads steps.reserv, but there is no step 'reserv'"], Errors("""
            { "id": "w", "steps": [
                { "id": "reserve", "type": "tool", "tool": "echo" },
                { "id": "ship", "type": "tool", "tool": "echo", "input": { "sku": "${ steps.reserv.sku }", "ok": "${ steps.reserve.sku }" } } ] }
            """));
    }

    [Fact]
    public void Reads_of_steps_that_cannot_have_run_before_are_reported_with_where_that_step_is()
    {
        var errors = Errors("""
            { "id": "w", "steps": [
                { "id": "early", "type": "tool", "tool": "echo", "input": "${ steps.late }" },
                { "id": "p", "type": "parallel", "branches": {
                    "a": [ { "id": "pa", "type": "tool", "tool": "echo" } ],
                    "b": [ { "id": "pb", "type": "tool", "tool": "echo", "input": "${ steps.pa }" } ] } },
                { "id": "after", "type": "ai", "model": "default", "prompt": "Label ${ steps.pb } of ${ steps.p.b }" },
                { "id": "late", "type": "tool", "tool": "echo" } ],
              "output": { "x": "${ steps['pa'] }", "y": "${ steps.late }" } }
            """);

        Assert.Equal(4, errors.Count);
        Assert.StartsWith("$.steps[0].input: reads steps.late, but step 'late' (at $.steps[3]) cannot have completed before this expression runs", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("$.steps[1].branches.b[0].input: reads steps.pa, but step 'pa' (at $.steps[1].branches.a[0])", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("$.steps[2].prompt: reads steps.pb,", errors[2], StringComparison.Ordinal);
        Assert.StartsWith("$.output.x: reads steps.pa,", errors[3], StringComparison.Ordinal);
    }

    [Fact]
    public void What_each_scope_may_read_is_accepted()
    {
        Assert.Empty(Errors("""
            { "id": "w", "steps": [
                { "id": "first", "type": "tool", "tool": "echo", "input": "${ input.x }",
                  "compensate": { "tool": "undo", "input": { "id": "${ steps.first.id }" } } },
                { "id": "each", "type": "foreach", "items": "steps.first.items", "steps": [
                    { "id": "charge", "type": "tool", "tool": "echo", "input": { "f": "${ steps.first }", "i": "${ item }" } },
                    { "id": "note", "type": "tool", "tool": "echo", "input": "${ steps.charge }" } ] },
                { "id": "poll", "type": "loop", "until": "steps.check.done && steps.first", "steps": [
                    { "id": "check", "type": "tool", "tool": "echo", "input": "${ steps.each }" } ] },
                { "id": "route", "type": "branch", "cases": [ { "when": "steps.poll.done", "steps": [
                    { "id": "yes", "type": "tool", "tool": "echo", "input": "${ steps.route_in_case_is_not_read }" } ] } ],
                  "default": [] } ],
              "output": { "all": "${ steps.route }", "raw": "a literal steps.nothing outside an expression" } }
            """.Replace("${ steps.route_in_case_is_not_read }", "${ steps.poll }", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_loop_test_cannot_read_a_step_after_the_loop_and_a_step_cannot_read_itself()
    {
        Assert.Equal(2, Errors("""
            { "id": "w", "steps": [
                { "id": "poll", "type": "loop", "until": "steps.after.done", "steps": [
                    { "id": "check", "type": "tool", "tool": "echo", "input": "${ steps.check }" } ] },
                { "id": "after", "type": "tool", "tool": "echo" } ] }
            """).Count(e => e.Contains("cannot have completed", StringComparison.Ordinal)));
    }
}
