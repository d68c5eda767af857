using SagaWorkflows.Testing;

namespace SagaWorkflows.Cli.Tests;

public class ValidateCommandTests
{
    [Theory]
    [InlineData("hello", 3)]
    [InlineData("order-fulfillment", 6)]
    [InlineData("control-flow", 5)]
    [InlineData("approval", 3)]
    [InlineData("compensation", 3)]
    [InlineData("child-runs", 2)]
    [InlineData("redrive", 3)]
    public async Task Valid_sample_exits_0_with_one_ok_line(string sample, int steps)
    {
        var result = await CliProcess.RunAsync("validate", $"samples/{sample}.json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([$"✔ samples/{sample}.json: workflow '{sample}' v1 is valid ({steps} top-level steps)"], result.StdOutLines);
        Assert.Equal("", result.StdErr);
    }

    [Fact]
    public async Task A_workflow_step_naming_an_unknown_or_cyclic_child_is_refused_with_its_path()
    {
        using var folder = new TempDirectory("sagawf-validate-");
        await File.WriteAllTextAsync(folder.Combine("a.json"), """{ "id": "a", "steps": [ { "id": "callB", "type": "workflow", "workflowId": "b" } ] }""");
        await File.WriteAllTextAsync(folder.Combine("b.json"), """{ "id": "b", "steps": [ { "id": "callA", "type": "workflow", "workflowId": "a" } ] }""");
        var root = folder.Combine("root.json");
        await File.WriteAllTextAsync(root, """
            { "id": "root", "steps": [ { "id": "x", "type": "workflow", "workflowId": "missing" }, { "id": "y", "type": "workflow", "workflowId": "a" } ] }
            """);

        var result = await CliProcess.RunAsync("validate", root);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            [
                "$.steps[0].workflowId: unknown workflow 'missing': register it with the orchestrator or inline it as 'definition'",
                "$.steps[1].workflowId: workflow 'a' calls itself (root → a → b → a); a child run may not run a workflow it is part of",
            ], result.StdOutLines);
    }

    [Fact]
    public async Task Invalid_sample_prints_exactly_every_problem_with_its_path_and_exits_1()
    {
        var result = await CliProcess.RunAsync("validate", "samples/invalid.json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            [
                "$.steps[0].tool: is required",
                "$.steps[1].id: duplicate step id 'fetch' (first used at $.steps[0])",
                "$.steps[1].retry.backoffRate: must be >= 1",
                "$.steps[1].retry.maxAttempts: must be >= 1",
                "$.steps[2].duration: must be an ISO 8601 duration such as PT30S or P1D, not \"5 minutes\"",
                "$.steps[3].items: invalid expression: unexpected end of expression",
                "$.steps[3].steps[0].type: unknown step type 'teleport'; expected one of tool, ai, parallel, foreach, loop, branch, wait, sleep, workflow",
                "$.steps[4].timout: is not a known property",
                "$.steps[5].input.text: unterminated '${' at position 7",
            ],
            result.StdOutLines);
        Assert.Contains("samples/invalid.json: 9 problems", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_configured_in_the_environment_apply_as_they_do_in_the_orchestrator()
    {
        var lowered = new Dictionary<string, string?> { ["SagaWorkflows__Limits__MaxSteps"] = "2" };
        var result = await CliProcess.RunAsync(["validate", "samples/hello.json"], lowered);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(["$.steps[2]: the definition has more than 2 steps (SagaWorkflows:Limits:MaxSteps)"], result.StdOutLines);

        // The same file is valid under the defaults.
        Assert.Equal(0, (await CliProcess.RunAsync("validate", "samples/hello.json")).ExitCode);
    }

    [Theory]
    [InlineData("0", "SagaWorkflows:Limits:MaxSteps must be positive, not 0")]
    [InlineData("many", "SagaWorkflows:Limits:")]
    public async Task An_unusable_configured_limit_is_a_clear_error_naming_the_setting(string value, string expected)
    {
        var result = await CliProcess.RunAsync(["validate", "samples/hello.json"], new Dictionary<string, string?> { ["SagaWorkflows__Limits__MaxSteps"] = value });

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(expected, result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_is_a_clear_error_with_exit_1()
    {
        var result = await CliProcess.RunAsync("validate", "samples/no-such-file.json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.StdOut);
        Assert.Contains("error: definition file 'samples/no-such-file.json' does not exist", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_is_reported_with_line_and_column()
    {
        using var folder = new TempDirectory("sagawf-bad-");
        var path = folder.Combine("bad.json");
        await File.WriteAllTextAsync(path, "{\n  \"id\": \"broken\",\n  \"steps\": [ } ]\n}\n");
        var result = await CliProcess.RunAsync("validate", path);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(["$: invalid JSON at line 3, column 14: '}' is an invalid start of a value"], result.StdOutLines);
    }

    [Fact]
    public async Task A_directory_is_not_a_definition_file()
    {
        var result = await CliProcess.RunAsync("validate", "samples");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("'samples' is a directory, not a file", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_argument_is_a_usage_error_with_exit_2()
    {
        var result = await CliProcess.RunAsync("validate");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Required argument missing", result.StdErr, StringComparison.Ordinal);
    }
}
