using SagaWorkflows.Contracts;

namespace SagaWorkflows.Cli.Tests;

public sealed class PurgeCommandTests(RabbitMqVirtualHost broker) : IClassFixture<RabbitMqVirtualHost>
{
    [Theory]
    [InlineData("P7D", "7.00:00:00")]
    [InlineData("PT90M", "01:30:00")]
    [InlineData("2.12:00:00", "2.12:00:00")]
    public async Task Purge_publishes_PurgeFinishedRuns_with_the_age_given_in_either_notation(string olderThan, string expected)
    {
        var queue = await broker.BindQueueAsync<PurgeFinishedRuns>();

        var result = await CliProcess.RunAsync("purge", "--older-than", olderThan, "--rabbitmq", broker.AmqpUri);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("purge of runs finished more than", result.StdOut, StringComparison.Ordinal);
        var envelope = await broker.TakeEnvelopeAsync(queue);
        Assert.Contains("urn:message:SagaWorkflows.Contracts:PurgeFinishedRuns", envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan.Parse(envelope.GetProperty("message").GetProperty("olderThan").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Purge_without_an_age_asks_for_every_finished_run()
    {
        var queue = await broker.BindQueueAsync<PurgeFinishedRuns>();

        var result = await CliProcess.RunAsync("purge", "--rabbitmq", broker.AmqpUri);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("purge of every finished run requested", result.StdOut, StringComparison.Ordinal);
        Assert.Equal("00:00:00", (await broker.TakeEnvelopeAsync(queue)).GetProperty("message").GetProperty("olderThan").GetString());
    }

    [Fact]
    public async Task Purge_with_a_malformed_age_is_a_usage_error_naming_the_option_and_sends_nothing()
    {
        var result = await CliProcess.RunAsync("purge", "--older-than", "a week", "--rabbitmq", "amqp://guest:guest@127.0.0.1:1/");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--older-than: 'a week' is not a duration", result.StdErr, StringComparison.Ordinal);
    }
}
