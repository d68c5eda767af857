using System.CommandLine;
using SagaWorkflows.Cli.Messaging;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Contracts;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary><c>sagawf cancel &lt;runId&gt;</c>: publishes <c>CancelWorkflow</c> on RabbitMQ; the run stops, then compensates.</summary>
internal static class CancelCommand
{
    public static Command Create(CliConsole console)
    {
        var runId = CommonArguments.RunId();
        var reason = new Option<string?>("--reason", "-r") { Description = "Why, recorded in the run's workflow-cancelled event.", HelpName = "text" };
        var rabbitMq = CommonArguments.RabbitMq();
        var command = new Command("cancel",
            "Cancel a run: publishes CancelWorkflow over RabbitMQ. The run stops dispatching, then undoes completed steps that have a compensation.")
        {
            runId, reason, rabbitMq,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async ct =>
        {
            var id = parseResult.GetValue(runId);
            var broker = BrokerAddress.Resolve(parseResult.GetValue(rabbitMq));
            await using (var client = await BrokerClient.ConnectAsync(broker, ct))
            {
                await client.PublishAsync(new CancelWorkflow { RunId = id, Reason = parseResult.GetValue(reason) }, ct);
            }

            console.Out.MarkupLine($"[green]✔ cancellation sent to run {id}[/] [grey]· via {Markup.Escape(broker.Display)}[/]");
            console.Out.MarkupLine($"[grey]  see it stop and compensate with: sagawf watch {id}[/]");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
