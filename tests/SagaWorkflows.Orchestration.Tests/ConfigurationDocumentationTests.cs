using System.Reflection;
using Microsoft.Extensions.Configuration;
using System.Text.RegularExpressions;
using SagaWorkflows.Bridge;
using SagaWorkflows.Hosting;
using SagaWorkflows.WorkerSdk.Ai;

namespace SagaWorkflows.Orchestration.Tests;

/// <summary>
/// docs/configuration.md is the one table of settings: every property of every settings class (a public
/// class declaring <c>SectionName</c>) is in it under its configuration key, and it names nothing else.
/// </summary>
public sealed partial class ConfigurationDocumentationTests
{
    private static readonly Assembly[] Libraries =
    [
        typeof(SagaWorkflowsBusOptions).Assembly,
        typeof(OrchestratorOptions).Assembly,
        typeof(BridgeOptions).Assembly,
        typeof(ChatModelOptions).Assembly,
        typeof(Core.Definitions.WorkflowLimits).Assembly,
    ];

    [Fact]
    public void Every_setting_in_code_is_in_the_table_and_every_setting_in_the_table_is_in_code()
    {
        var inCode = SettingsClasses()
            .SelectMany(type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                // A property holding another settings class (OrchestratorOptions.Limits) is documented by that class.
                .Where(p => p.CanWrite && SectionOf(p.PropertyType) is null)
                .Select(p => EnvironmentForm(p.GetCustomAttribute<ConfigurationKeyAttribute>()?.Key ?? $"{SectionOf(type)}:{p.Name}")))
            .ToHashSet(StringComparer.Ordinal);
        var documented = DocumentedKeys();

        Assert.Empty(inCode.Except(documented).Order());
        Assert.Empty(documented.Except(inCode).Order());
    }

    [Fact]
    public void The_settings_classes_found_include_each_host_s_own()
    {
        Assert.Superset(
            new HashSet<string> { nameof(SagaWorkflowsBusOptions), nameof(OrchestratorOptions), nameof(BridgeOptions), nameof(ChatModelOptions) },
            SettingsClasses().Select(t => t.Name).ToHashSet());
    }

    [Fact]
    public void An_invalid_setting_fails_at_startup_naming_its_key_without_echoing_secrets()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SagaWorkflows:Orchestrator:PartitionCount"] = "-1",
            ["SagaWorkflows:Orchestrator:TimerPollInterval"] = "00:00:00",
            ["ConnectionStrings:Workflows"] = "",
        }).Build();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => configuration.ReadOrchestratorOptions());

        Assert.Equal(
        [
            "ConnectionStrings:Workflows: must name the workflow store",
            "SagaWorkflows:Orchestrator:PartitionCount: must be between 0 and 4096 (is '-1')",
            "SagaWorkflows:Orchestrator:TimerPollInterval: must be a positive duration such as 00:00:01 (is '00:00:00')",
        ], error.Failures.Order());
    }

    [Fact]
    public void A_broker_address_that_is_not_an_amqp_uri_fails_at_startup_without_echoing_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = "http://guest:secret@localhost:5672/",
            ["SagaWorkflows:PrefetchCount"] = "0",
        }).Build();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => configuration.ReadBusOptions());

        Assert.Equal(
        [
            "ConnectionStrings:RabbitMq: must be a RabbitMQ URI such as amqp://user:password@host:5672/vhost",
            "SagaWorkflows:PrefetchCount: must be between 1 and 65535 (is '0')",
        ], error.Failures.Order());
    }

    [Fact]
    public void An_unknown_queue_type_fails_at_startup_naming_the_setting_and_a_known_one_is_read_in_any_case()
    {
        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SagaWorkflows:Bus:QueueType"] = "quorom",
        }).Build();
        var good = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SagaWorkflows:Bus:QueueType"] = "Quorum",
        }).Build();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => bad.ReadBusOptions());

        Assert.Equal(["SagaWorkflows:Bus:QueueType: must be classic or quorum (is 'quorom')"], error.Failures);
        Assert.Equal(SagaWorkflowsQueueType.Quorum, good.ReadBusOptions().QueueType);
        Assert.Equal(SagaWorkflowsQueueType.Classic, new ConfigurationBuilder().Build().ReadBusOptions().QueueType);
    }

    private static IEnumerable<Type> SettingsClasses() =>
        Libraries.SelectMany(a => a.GetExportedTypes()).Where(t => t.IsClass && SectionOf(t) is not null);

    private static string? SectionOf(Type type) =>
        type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;

    private static string EnvironmentForm(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static HashSet<string> DocumentedKeys()
    {
        var path = Path.Combine(Testing.RepositoryPaths.Root, "docs", "configuration.md");
        return TableKey().Matches(File.ReadAllText(path)).Select(m => m.Groups["key"].Value).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^\| `(?<key>(?:SagaWorkflows|ConnectionStrings)__[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableKey();
}
