using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Hosting;
using SagaWorkflows.Orchestration;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Cli.Tests;

/// <summary>A real orchestrator (in this process) on a vhost of its own, knowing the samples, for the schedule verbs to talk to.</summary>
public sealed class ScheduleOrchestrator : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _directory = new("sagawf-cli-schedules-");
    private IHost? _host;

    public RabbitMqVirtualHost Broker { get; } = new();

    public async Task InitializeAsync()
    {
        await Broker.InitializeAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var bus = new SagaWorkflowsBusOptions { Transport = SagaWorkflowsTransport.RabbitMq, RabbitMq = Broker.AmqpUri };
        builder.Services.AddSagaWorkflowsOrchestrator(new OrchestratorOptions
        {
            ConnectionString = $"Data Source={_directory.Combine("workflows.db")}",
            DefinitionsPath = Path.Combine(CliProcess.RepositoryRoot, "samples"),
            BridgeQueue = "",
        }, bus);
        builder.Services.AddSagaWorkflowsBus(bus);
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        await Broker.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>Deletes the orchestrator's folder (as <see cref="DisposeAsync"/> does once it stopped; xunit calls both).</summary>
    public void Dispose() => _directory.Dispose();
}

public sealed class ScheduleCommandTests(ScheduleOrchestrator orchestrator) : IClassFixture<ScheduleOrchestrator>
{
    private string Uri => orchestrator.Broker.AmqpUri;

    private static string Sample => Path.Combine(CliProcess.RepositoryRoot, "samples", "schedules", "hello-every-minute.json");

    [Fact]
    public async Task The_sample_schedule_file_is_added_listed_and_removed()
    {
        var added = await CliProcess.RunAsync("schedule", "add", Sample, "--id", "sample-1", "--rabbitmq", Uri);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("schedule sample-1 added", added.StdOut, StringComparison.Ordinal);
        Assert.Contains("hello cron 0 * * * * ? (Europe/Paris)", added.StdOut, StringComparison.Ordinal);

        var list = await CliProcess.RunAsync("schedule", "list", "--json", "--rabbitmq", Uri);
        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = Assert.Single(JsonDocument.Parse(list.StdOut).RootElement.EnumerateArray(), s => s.GetProperty("id").GetString() == "sample-1");
        Assert.Equal("hello", listed.GetProperty("workflowId").GetString());
        Assert.Equal("Ada", listed.GetProperty("input").GetProperty("name").GetString());

        var removed = await CliProcess.RunAsync("schedule", "remove", "sample-1", "--rabbitmq", Uri);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        var gone = await CliProcess.RunAsync("schedule", "remove", "sample-1", "--rabbitmq", Uri);
        Assert.True(gone.ExitCode == 4, gone.ToString());
        Assert.Contains("there is no schedule 'sample-1'", gone.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_alone_make_a_schedule_the_same_again_changes_nothing_and_the_same_id_with_other_fields_is_refused()
    {
        var added = await CliProcess.RunAsync("schedule", "add", "--id", "opts", "--workflow", "hello", "--input", """{"name":"Bo"}""", "--interval", "PT1H", "--rabbitmq", Uri);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("hello every PT1H", added.StdOut, StringComparison.Ordinal);

        var again = await CliProcess.RunAsync("schedule", "add", "--id", "opts", "--workflow", "hello", "--input", """{ "name": "Bo" }""", "--interval", "PT1H", "--rabbitmq", Uri);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("already exists with the same fields", again.StdOut, StringComparison.Ordinal);

        var other = await CliProcess.RunAsync("schedule", "add", "--id", "opts", "--workflow", "hello", "--input", """{"name":"Bo"}""", "--interval", "PT2H", "--rabbitmq", Uri);
        Assert.True(other.ExitCode == 1, other.ToString());
        Assert.Contains("schedule 'opts' already exists with other fields", other.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_the_orchestrator_refuses_exits_1_with_each_problem_at_its_path()
    {
        var result = await CliProcess.RunAsync("schedule", "add", "--id", "bad", "--workflow", "hello", "--input", "{}", "--cron", "0 0 25 * * ?", "--time-zone", "Nowhere/City", "--rabbitmq", Uri);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("the orchestrator refused schedule 'bad'", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("$.timeZone: 'Nowhere/City'", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("$.cron: '0 0 25 * * ?' is not a Quartz cron expression", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schedule_missing_its_fields_is_refused_before_anything_is_sent()
    {
        // An unreachable broker proves nothing was attempted: the problems come first.
        var result = await CliProcess.RunAsync("schedule", "add", "--id", "x", "--rabbitmq", "amqp://guest:guest@127.0.0.1:1/");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("$.workflowId: is required.", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("$: give either \"cron\"", result.StdErr, StringComparison.Ordinal);
    }
}

public sealed class ScheduleWithoutOrchestratorTests(RabbitMqVirtualHost broker) : IClassFixture<RabbitMqVirtualHost>
{
    [Fact]
    public async Task With_no_orchestrator_ever_on_the_vhost_schedule_list_exits_7()
    {
        var result = await CliProcess.RunAsync("schedule", "list", "--rabbitmq", broker.AmqpUri);

        Assert.True(result.ExitCode == 7, result.ToString());
        Assert.Contains("nothing receives ListSchedules", result.StdErr, StringComparison.Ordinal);
    }
}
