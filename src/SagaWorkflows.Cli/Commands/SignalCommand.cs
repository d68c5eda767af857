using System.CommandLine;
using System.Text.Json;
using SagaWorkflows.Cli.Input;
using SagaWorkflows.Cli.Messaging;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Contracts;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary>
/// <c>sagawf signal &lt;runId&gt; &lt;signal&gt;</c>: publishes <c>SignalWorkflow</c> on RabbitMQ, the channel
/// every other command uses. The orchestrator, not the CLI, decides whether the run is waiting for
/// it and whether the payload matches the wait's schema; the run's events show the outcome.
/// </summary>
internal static class SignalCommand
{
    public static Command Create(CliConsole console)
    {
        var runId = CommonArguments.RunId();
        var signal = new Argument<string>("signal") { Description = "The signal a `wait` step of the run waits for, e.g. approval." };
        var payload = new Option<string?>("--payload", "-p")
        {
            Description = "The signal's payload (the waiting step's output): inline JSON, or @path to read it from a file.",
            HelpName = "json|@file",
        };
        var rabbitMq = CommonArguments.RabbitMq();
        var command = new Command("signal", "Resume a waiting run: publishes SignalWorkflow over RabbitMQ.")
        {
            runId, signal, payload, rabbitMq,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async ct =>
        {
            var id = parseResult.GetValue(runId);
            var name = parseResult.GetValue(signal)!;
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new CliException(ExitCodes.Usage, "the signal name must not be empty");
            }

            var body = parseResult.GetValue(payload) is { } text ? JsonArgument.Parse(text, "--payload") : (JsonElement?)null;
            var broker = BrokerAddress.Resolve(parseResult.GetValue(rabbitMq));
            await using (var client = await BrokerClient.ConnectAsync(broker, ct))
            {
                await client.PublishAsync(new SignalWorkflow { RunId = id, Signal = name, Payload = body }, ct);
            }

            console.Out.MarkupLine($"[green]✔ signal '{Markup.Escape(name)}' sent to run {id}[/] [grey]· via {Markup.Escape(broker.Display)}[/]");
            console.Out.MarkupLine($"[grey]  the run resumes if it is waiting for it; see with: sagawf watch {id}[/]");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
