namespace SagaWorkflows.Cli.Tests;

public class UsageTests
{
    [Fact]
    public async Task Help_lists_every_verb_and_documents_the_exit_codes()
    {
        var result = await CliProcess.RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var verb in new[] { "validate <file>", "start <file|workflowId>", "watch <runId>", "signal <runId> <signal>", "cancel <runId>", "redrive <runId>" })
        {
            Assert.Contains(verb, result.StdOut, StringComparison.Ordinal);
        }

        Assert.Contains("2  usage error", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("3  RabbitMQ or the bridge could not be reached", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("5  the watched run failed", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("8  refused: the run cannot be redriven", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_help_describes_input_watch_and_connection_options()
    {
        var result = await CliProcess.RunAsync("start", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var option in new[] { "--input <json|@file>", "--watch", "--bridge <url>", "--rabbitmq <uri>", "--run-id <guid>" })
        {
            Assert.Contains(option, result.StdOut, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Unknown_verb_is_a_usage_error_with_exit_2()
    {
        var result = await CliProcess.RunAsync("frobnicate");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("'frobnicate'", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_run_id_is_a_usage_error_naming_the_value()
    {
        var result = await CliProcess.RunAsync("watch", "not-a-run");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("'not-a-run' is not a run id", result.StdErr, StringComparison.Ordinal);
    }
}
