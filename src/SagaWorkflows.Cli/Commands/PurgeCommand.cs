using System.CommandLine;
using System.Globalization;
using System.Xml;
using SagaWorkflows.Cli.Messaging;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Contracts;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary>
/// <c>sagawf purge [--older-than &lt;duration&gt;]</c>: publishes <c>PurgeFinishedRuns</c> on RabbitMQ. The orchestrator deletes
/// those finished runs from the workflow store and every bridge from its own store, as retention would later.
/// </summary>
internal static class PurgeCommand
{
    public static Command Create(CliConsole console)
    {
        var olderThan = new Option<string?>("--older-than", "-o")
        {
            Description = "Keep runs that finished more recently than this: ISO 8601 (PT1H, P7D) or d.hh:mm:ss. Default: purge every finished run.",
            HelpName = "duration",
        };
        var rabbitMq = CommonArguments.RabbitMq();
        var command = new Command("purge",
            "Delete finished runs now: publishes PurgeFinishedRuns over RabbitMQ; the orchestrator purges the workflow store and each bridge its event store. " +
            "Runs still in flight, and runs whose last messages are not delivered yet, are kept.")
        {
            olderThan, rabbitMq,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async ct =>
        {
            var age = ParseDuration(parseResult.GetValue(olderThan));
            var broker = BrokerAddress.Resolve(parseResult.GetValue(rabbitMq));
            await using (var client = await BrokerClient.ConnectAsync(broker, ct))
            {
                await client.PublishAsync(new PurgeFinishedRuns { OlderThan = age }, ct);
            }

            var which = age == TimeSpan.Zero ? "every finished run" : $"runs finished more than {age} ago";
            console.Out.MarkupLine($"[green]✔ purge of {Markup.Escape(which)} requested[/] [grey]· via {Markup.Escape(broker.Display)}[/]");
            console.Out.MarkupLine("[grey]  the orchestrator and each bridge log how many runs they deleted[/]");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    internal static TimeSpan ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeSpan.Zero;
        }

        TimeSpan value;
        if (text.StartsWith('P') || text.StartsWith('p'))
        {
            try
            {
                value = XmlConvert.ToTimeSpan(text.ToUpperInvariant());
            }
            catch (FormatException)
            {
                throw Invalid(text);
            }
        }
        else if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value))
        {
            throw Invalid(text);
        }

        return value < TimeSpan.Zero ? throw Invalid(text) : value;
    }

    private static CliException Invalid(string text) =>
        new(ExitCodes.Usage, $"--older-than: '{text}' is not a duration; use ISO 8601 (PT1H, P7D) or d.hh:mm:ss (7.00:00:00)");
}
