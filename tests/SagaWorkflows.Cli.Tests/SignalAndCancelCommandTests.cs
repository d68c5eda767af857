namespace SagaWorkflows.Cli.Tests;

public class SignalAndCancelCommandTests
{
    private const string UnreachableBroker = "amqp://guest:guest@127.0.0.1:1/";

    [Fact]
    public async Task Signal_with_a_malformed_payload_reports_line_and_column_and_sends_nothing()
    {
        var result = await CliProcess.RunAsync("signal", Guid.NewGuid().ToString(), "approval", "--payload", "{\n \"approved\": yes\n}",
            "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error: --payload: invalid JSON at line 2, column 14:", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signal_with_an_unreachable_broker_fails_fast_with_exit_3()
    {
        var result = await CliProcess.RunAsync("signal", Guid.NewGuid().ToString(), "approval", "--payload", "{\"approved\":true}",
            "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(15), $"took {result.Elapsed}");
        Assert.Contains("cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1/", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signal_needs_a_signal_name()
    {
        var result = await CliProcess.RunAsync("signal", Guid.NewGuid().ToString());

        Assert.True(result.ExitCode == 2, result.ToString());
    }

    [Fact]
    public async Task Cancel_with_an_unreachable_broker_fails_fast_with_exit_3()
    {
        var result = await CliProcess.RunAsync("cancel", Guid.NewGuid().ToString(), "--reason", "testing", "--rabbitmq", UnreachableBroker);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("cannot reach RabbitMQ", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_with_a_malformed_run_id_is_a_usage_error()
    {
        var result = await CliProcess.RunAsync("cancel", "12345");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("'12345' is not a run id", result.StdErr, StringComparison.Ordinal);
    }
}
