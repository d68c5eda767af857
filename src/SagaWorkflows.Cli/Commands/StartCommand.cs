using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using SagaWorkflows.Cli.Input;
using SagaWorkflows.Cli.Messaging;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Cli.Watching;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Schemas;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary>
/// <c>sagawf start &lt;file|workflowId&gt;</c>: publishes <c>StartWorkflow</c> on RabbitMQ, with a file's
/// definition inline (validated here first, so nothing invalid is sent) or naming a registered workflow.
/// </summary>
internal static class StartCommand
{
    /// <summary>How long a just-published run may take to reach the bridge before "unknown run".</summary>
    private static readonly TimeSpan WaitForNewRun = TimeSpan.FromSeconds(30);

    public static Command Create(CliConsole console)
    {
        var target = new Argument<string>("target")
        {
            Description = "A definition file (sent inline, after local validation) or the id of a workflow the orchestrator knows.",
            HelpName = "file|workflowId",
        };
        var input = new Option<string?>("--input", "-i")
        {
            Description = "The run's input: inline JSON, or @path to read it from a file. Checked against a file's inputSchema before sending.",
            HelpName = "json|@file",
        };
        var watch = new Option<bool>("--watch", "-w")
        {
            Description = "Follow the run's events through the bridge until it ends; the exit code then reflects the outcome (0 completed, 5 failed, 6 cancelled).",
        };
        var runId = new Option<Guid?>("--run-id")
        {
            Description = "Use this run id instead of a new one; starting the same id twice starts one run.",
            HelpName = "guid",
            CustomParser = ParseOptionalRunId,
        };
        var version = new Option<int?>("--workflow-version")
        {
            Description = "With a workflow id: the definition version to run [default: the latest].",
            HelpName = "n",
        };
        var bridge = CommonArguments.Bridge();
        var rabbitMq = CommonArguments.RabbitMq();
        var command = new Command("start", "Start a run: publishes StartWorkflow over RabbitMQ and prints the run id.")
        {
            target, input, watch, runId, version, bridge, rabbitMq,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, ct => RunAsync(console, new Request(
            parseResult.GetValue(target)!,
            parseResult.GetValue(input),
            parseResult.GetValue(watch),
            parseResult.GetValue(runId),
            parseResult.GetValue(version),
            parseResult.GetValue(bridge),
            parseResult.GetValue(rabbitMq)), ct), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, Request request, CancellationToken cancellationToken)
    {
        var (workflowId, definitionJson, description) = ResolveTarget(request);
        var input = request.Input is { } text ? JsonArgument.Parse(text, "--input") : (JsonElement?)null;
        if (definitionJson is not null)
        {
            CheckInput(WorkflowDefinitionParser.Parse(definitionJson, ConfiguredLimits.Read()).Definition!, input);
        }

        var broker = BrokerAddress.Resolve(request.RabbitMq);
        var bridge = request.Watch ? BridgeAddress.Resolve(request.Bridge) : null;
        using var http = bridge is null ? null : RunWatcher.CreateHttpClient();
        if (bridge is not null)
        {
            // Checked before publishing: a run started by a command that then cannot watch it would
            // leave the user guessing whether it started.
            await EnsureReachableAsync(http!, bridge, cancellationToken);
        }

        var id = request.RunId ?? NewId.NextGuid();
        await using (var client = await BrokerClient.ConnectAsync(broker, cancellationToken))
        {
            try
            {
                // Mandatory: a StartWorkflow no queue receives (no orchestrator ever ran in this vhost) comes
                // back instead of vanishing, so "started" is never printed for a run that cannot start.
                await client.PublishAsync(new StartWorkflow
                {
                    RunId = id,
                    WorkflowId = workflowId,
                    Version = request.Version,
                    Definition = definitionJson,
                    Input = input,
                }, cancellationToken, mandatory: true);
            }
            catch (UnroutableMessageException)
            {
                throw new CliException(ExitCodes.NotDelivered,
                    $"nothing receives StartWorkflow at {broker.Display} ({broker.Source}): no orchestrator has run against this broker and vhost, so the run was not started",
                    $"start one with: dotnet run --project src/SagaWorkflows.Orchestrator (ConnectionStrings__RabbitMq={broker.Display}), or point sagawf at the broker and vhost your orchestrator uses with --rabbitmq or {BrokerAddress.EnvironmentVariable}");
            }
        }

        console.Out.MarkupLine($"[green]✔ run {id} started[/] [grey]· {Markup.Escape(description)} · via {Markup.Escape(broker.Display)}[/]");
        if (bridge is null)
        {
            console.Out.MarkupLine($"[grey]  follow it with: sagawf watch {id}[/]");
            return ExitCodes.Success;
        }

        return await WatchCommand.FollowAsync(console, http!, bridge, id, WaitForNewRun, cancellationToken);
    }

    private static (string? WorkflowId, string? DefinitionJson, string Description) ResolveTarget(Request request)
    {
        var target = request.Target;
        if (!LooksLikeFile(target))
        {
            return (target, null, $"workflow '{target}'{(request.Version is { } v ? $" v{v}" : "")}");
        }

        if (request.Version is not null)
        {
            throw new CliException(ExitCodes.Usage,
                "--workflow-version applies to a workflow id; a definition file runs the version it declares");
        }

        var (json, result) = DefinitionFile.Load(target);
        if (!result.IsValid)
        {
            throw new CliException(ExitCodes.InvalidInput,
                $"{target} is not a valid workflow definition ({result.Errors.Count} problem{(result.Errors.Count == 1 ? "" : "s")}); nothing was sent",
                $"see them again with: sagawf validate {target}",
                result.Errors.Select(e => e.ToString()).ToList());
        }

        var definition = result.Definition!;
        return (null, json, $"workflow '{definition.Id}' v{definition.Version} (inline from {target})");
    }

    /// <summary>A workflow id never contains a path separator or ends in .json; anything else is
    /// taken as a file only when it exists, so a mistyped path is not sent as a workflow id.</summary>
    private static bool LooksLikeFile(string target) =>
        File.Exists(target) || Directory.Exists(target)
        || target.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
        || target.Contains('/', StringComparison.Ordinal) || target.Contains('\\', StringComparison.Ordinal);

    /// <summary>The orchestrator would fail the run at once for the same reasons; saying so here is faster.</summary>
    private static void CheckInput(WorkflowDefinition definition, JsonElement? input)
    {
        if (definition.InputSchema is not { } schema)
        {
            return;
        }

        var problems = SchemaValidator.Validate(schema, input is { } value ? JsonNode.Parse(value.GetRawText()) : null);
        if (problems.Count > 0)
        {
            throw new CliException(ExitCodes.InvalidInput,
                $"the input does not match the inputSchema of workflow '{definition.Id}'; nothing was sent",
                input is null ? "pass the input with --input '<json>' or --input @file.json" : null,
                problems);
        }
    }

    private static async Task EnsureReachableAsync(HttpClient http, BridgeAddress bridge, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunWatcher.ConnectTimeout + TimeSpan.FromSeconds(1));
        try
        {
            using var response = await http.GetAsync(bridge.Uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable,
                $"cannot reach the bridge at {bridge.Uri} ({bridge.Source}) to watch the run: {(ex is OperationCanceledException ? "no answer" : ex.GetBaseException().Message)}; nothing was sent",
                $"start it with: dotnet run --project src/SagaWorkflows.Bridge -- --urls {BridgeAddress.Default}; point sagawf at yours with --bridge <url> or {BridgeAddress.EnvironmentVariable}; or start without --watch");
        }
    }

    private static Guid? ParseOptionalRunId(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        result.AddError($"--run-id '{text}' is not a GUID.");
        return null;
    }

    private sealed record Request(string Target, string? Input, bool Watch, Guid? RunId, int? Version, string? Bridge, string? RabbitMq);
}
