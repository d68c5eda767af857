using System.Text.RegularExpressions;

namespace SagaWorkflows.Cli.Tests;

public class StartCommandTests
{
    /// <summary>Nothing listens on port 1: the connection is refused at once.</summary>
    private const string UnreachableBroker = "amqp://guest:guest@127.0.0.1:1/";

    [Fact]
    public async Task Unreachable_broker_fails_fast_naming_the_address_tried_and_how_to_fix_it()
    {
        var result = await CliProcess.RunAsync("start", "samples/hello.json", "--input", "{\"name\":\"Ada\"}", "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(15), $"took {result.Elapsed}");
        Assert.Contains("cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1/ (--rabbitmq)", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("build/ensure-rabbitmq.sh", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__RabbitMq", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("guest:guest", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("started", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_address_comes_from_ConnectionStrings__RabbitMq_when_no_option_is_given()
    {
        var result = await CliProcess.RunAsync(["start", "hello"],
            new Dictionary<string, string?> { ["ConnectionStrings__RabbitMq"] = UnreachableBroker });

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1/ (ConnectionStrings__RabbitMq)", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_definition_prints_every_problem_and_sends_nothing()
    {
        // The broker is unreachable: exit 1 rather than 3 shows validation came first and nothing was sent.
        var result = await CliProcess.RunAsync("start", "samples/invalid.json", "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("samples/invalid.json is not a valid workflow definition (9 problems); nothing was sent", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("  $.steps[1].id: duplicate step id 'fetch' (first used at $.steps[0])", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("  $.steps[5].input.text: unterminated '${' at position 7", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_definition_file_is_not_mistaken_for_a_workflow_id()
    {
        var result = await CliProcess.RunAsync("start", "samples/helo.json", "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("definition file 'samples/helo.json' does not exist", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_input_json_is_reported_with_line_and_column()
    {
        var result = await CliProcess.RunAsync("start", "samples/hello.json", "--input", "{\"name\": }", "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error: --input: invalid JSON at line 1, column 10: '}' is an invalid start of a value", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_file_that_does_not_exist_is_a_clear_error()
    {
        var result = await CliProcess.RunAsync("start", "samples/hello.json", "--input", "@samples/inputs/nobody.json", "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("--input file 'samples/inputs/nobody.json' does not exist", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_that_does_not_match_the_input_schema_is_refused_before_sending()
    {
        var result = await CliProcess.RunAsync("start", "samples/hello.json", "--input", "{\"nom\":\"Ada\"}", "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("the input does not match the inputSchema of workflow 'hello'; nothing was sent", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("$.name: is required", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_with_an_unreachable_bridge_fails_before_anything_is_sent()
    {
        var result = await CliProcess.RunAsync("start", "samples/hello.json", "--input", "@samples/inputs/hello.json", "--watch",
            "--bridge", "http://127.0.0.1:1", "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("cannot reach the bridge at http://127.0.0.1:1/ (--bridge) to watch the run", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_broker_uri_is_a_usage_error()
    {
        var result = await CliProcess.RunAsync("start", "hello", "--rabbitmq", "localhost:5672");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--rabbitmq 'localhost:5672' is not a RabbitMQ URI", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Workflow_version_with_a_definition_file_is_a_usage_error()
    {
        var result = await CliProcess.RunAsync("start", "samples/hello.json", "--workflow-version", "2", "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--workflow-version applies to a workflow id", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_run_id_option_is_a_usage_error()
    {
        var result = await CliProcess.RunAsync("start", "hello", "--run-id", "42");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Matches(new Regex("--run-id '42' is not a GUID"), result.StdErr);
    }
}
