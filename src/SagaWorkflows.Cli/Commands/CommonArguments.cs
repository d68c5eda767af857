using System.CommandLine;
using System.CommandLine.Parsing;
using SagaWorkflows.Cli.Messaging;
using SagaWorkflows.Cli.Watching;

namespace SagaWorkflows.Cli.Commands;

/// <summary>Arguments and options several verbs share, described once.</summary>
internal static class CommonArguments
{
    public static Argument<Guid> RunId() => new("runId")
    {
        Description = "The run's id, as printed by `sagawf start`.",
        CustomParser = ParseRunId,
    };

    public static Option<string?> RabbitMq() => new("--rabbitmq")
    {
        Description = $"RabbitMQ URI to publish to [default: ${BrokerAddress.EnvironmentVariable}, else amqp://guest:guest@localhost:5672/]",
        HelpName = "uri",
    };

    public static Option<string?> Bridge() => new("--bridge")
    {
        Description = $"Base URL of the SSE bridge [default: ${BridgeAddress.EnvironmentVariable}, else {BridgeAddress.Default}]",
        HelpName = "url",
    };

    private static Guid ParseRunId(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Guid.TryParse(text, out var runId))
        {
            return runId;
        }

        result.AddError($"'{text}' is not a run id: expected a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301 (sagawf start prints it).");
        return default;
    }
}
