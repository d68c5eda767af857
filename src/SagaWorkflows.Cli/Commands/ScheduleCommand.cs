using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Bridge.Api;
using SagaWorkflows.Cli.Input;
using SagaWorkflows.Cli.Messaging;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Contracts;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary>
/// <c>sagawf schedule add|list|remove</c>: requests to the orchestrator over RabbitMQ (<c>AddSchedule</c>, <c>ListSchedules</c>,
/// <c>RemoveSchedule</c>), which owns the schedules and checks them against its definitions.
/// </summary>
internal static class ScheduleCommand
{
    public static Command Create(CliConsole console) =>
        new("schedule", "Start runs on a schedule: add, list or remove the orchestrator's schedules (over RabbitMQ).")
        {
            Add(console), List(console), Remove(console),
        };

    private static Command Add(CliConsole console)
    {
        var file = new Argument<string?>("file")
        {
            Description = "A schedule as JSON, the body POST /schedules takes: { \"id\", \"workflowId\", \"version\"?, \"input\"?, \"cron\" | \"interval\", \"timeZone\"? }. The options below set or override its fields.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var id = new Option<string?>("--id") { Description = "The schedule's id (letters, digits, '.', '_', '-').", HelpName = "id" };
        var workflow = new Option<string?>("--workflow", "-w") { Description = "The id of a workflow the orchestrator knows.", HelpName = "workflowId" };
        var version = new Option<int?>("--version") { Description = "The definition version each fire starts [default: the newest at fire time].", HelpName = "n" };
        var input = new Option<string?>("--input", "-i") { Description = "Each run's input: JSON, or @file to read it from a file.", HelpName = "json|@file" };
        var cron = new Option<string?>("--cron") { Description = "A Quartz cron expression with seconds, e.g. \"0 0/5 * * * ?\".", HelpName = "expression" };
        var interval = new Option<string?>("--interval") { Description = "An ISO 8601 duration between fires, e.g. PT30S, PT1H, P1D.", HelpName = "duration" };
        var timeZone = new Option<string?>("--time-zone") { Description = "The IANA time zone the cron is read in, e.g. Europe/Paris [default: UTC].", HelpName = "zone" };
        var rabbitMq = CommonArguments.RabbitMq();
        var command = new Command("add", "Add a schedule. Adding the same schedule again changes nothing; the same id with other fields is refused.")
        {
            file, id, workflow, version, input, cron, interval, timeZone, rabbitMq,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async ct =>
        {
            var body = parseResult.GetValue(file) is { } path ? ReadFile(path) : new JsonObject();
            Set(body, "id", parseResult.GetValue(id));
            Set(body, "workflowId", parseResult.GetValue(workflow));
            Set(body, "version", parseResult.GetValue(version) is { } v ? JsonValue.Create(v) : null);
            Set(body, "input", parseResult.GetValue(input) is { } json ? JsonNode.Parse(JsonArgument.Parse(json, "--input").GetRawText()) : null);
            Set(body, "cron", parseResult.GetValue(cron));
            Set(body, "interval", parseResult.GetValue(interval));
            Set(body, "timeZone", parseResult.GetValue(timeZone));

            var request = ScheduleRequest.TryParse(JsonSerializer.SerializeToElement(body), out var problems)
                ?? throw new CliException(ExitCodes.InvalidInput, "invalid schedule", "give --id, --workflow and --cron or --interval (or a schedule file)", problems);

            var broker = BrokerAddress.Resolve(parseResult.GetValue(rabbitMq));
            var answer = await RequestAsync<AddSchedule, ScheduleAdded, ScheduleRefused>(broker, request, ct);
            switch (answer)
            {
                case ScheduleAdded { Created: true } added:
                    console.Out.MarkupLine($"[green]✔ schedule {Markup.Escape(added.Schedule.Id)} added[/] [grey]· {Markup.Escape(Describe(added.Schedule))} · via {Markup.Escape(broker.Display)}[/]");
                    break;
                case ScheduleAdded added:
                    console.Out.MarkupLine($"[green]✔ schedule {Markup.Escape(added.Schedule.Id)} already exists with the same fields[/] [grey]· nothing changed · {Markup.Escape(Describe(added.Schedule))}[/]");
                    break;
                default:
                    throw Refusal((ScheduleRefused)answer);
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var json = new Option<bool>("--json") { Description = "Print the schedules as a JSON array (as GET /schedules answers)." };
        var rabbitMq = CommonArguments.RabbitMq();
        var command = new Command("list", "List the schedules with their next and previous fire times.") { json, rabbitMq };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async ct =>
        {
            var broker = BrokerAddress.Resolve(parseResult.GetValue(rabbitMq));
            var list = (ScheduleList)await RequestAsync<ListSchedules, ScheduleList, ScheduleRefused>(broker, new ListSchedules(), ct);
            if (parseResult.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(list.Schedules, Bridge.BridgeJson.Options));
                return ExitCodes.Success;
            }

            if (list.Schedules.Count == 0)
            {
                console.Out.MarkupLine("[grey]no schedules[/]");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("id", "workflow", "when", "next fire (UTC)", "previous fire (UTC)");
            foreach (var schedule in list.Schedules)
            {
                table.AddRow(Markup.Escape(schedule.Id), Markup.Escape(schedule.WorkflowId + (schedule.Version is { } v ? $" v{v}" : "")),
                    Markup.Escape(When(schedule)), Time(schedule.NextFireTime), Time(schedule.PreviousFireTime));
            }

            console.Out.Write(table);
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Remove(CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "The schedule's id, as `sagawf schedule list` shows it." };
        var rabbitMq = CommonArguments.RabbitMq();
        var command = new Command("remove", "Remove a schedule: no more runs start from it (runs it started go on).") { id, rabbitMq };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async ct =>
        {
            var scheduleId = parseResult.GetValue(id)!;
            var broker = BrokerAddress.Resolve(parseResult.GetValue(rabbitMq));
            var answer = await RequestAsync<RemoveSchedule, ScheduleRemoved, ScheduleRefused>(broker, new RemoveSchedule { Id = scheduleId }, ct);
            if (answer is ScheduleRefused refused)
            {
                throw Refusal(refused);
            }

            console.Out.MarkupLine($"[green]✔ schedule {Markup.Escape(scheduleId)} removed[/] [grey]· via {Markup.Escape(broker.Display)}[/]");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static async Task<object> RequestAsync<TRequest, T1, T2>(BrokerAddress broker, TRequest request, CancellationToken cancellationToken)
        where TRequest : class
        where T1 : class
        where T2 : class
    {
        await using var client = await BrokerClient.ConnectAsync(broker, cancellationToken);
        try
        {
            return await client.RequestAsync<TRequest, T1, T2>(request, cancellationToken);
        }
        catch (UnroutableMessageException)
        {
            throw new CliException(ExitCodes.NotDelivered,
                $"nothing receives {typeof(TRequest).Name} at {broker.Display} ({broker.Source}): no orchestrator has run against this broker and vhost",
                $"start one with: dotnet run --project src/SagaWorkflows.Orchestrator (ConnectionStrings__RabbitMq={broker.Display}), or point sagawf at its broker and vhost with --rabbitmq or {BrokerAddress.EnvironmentVariable}");
        }
    }

    private static CliException Refusal(ScheduleRefused refused) => refused.Reason switch
    {
        ScheduleRefusalReasons.NotFound => new CliException(ExitCodes.UnknownRun, $"there is no schedule '{refused.Id}'", "sagawf schedule list shows them"),
        ScheduleRefusalReasons.Conflict => new CliException(ExitCodes.InvalidInput, $"schedule '{refused.Id}' already exists with other fields",
            $"remove it first (sagawf schedule remove {refused.Id}), or use another id", refused.Problems),
        _ => new CliException(ExitCodes.InvalidInput, $"the orchestrator refused schedule '{refused.Id}'", details: refused.Problems),
    };

    private static JsonObject ReadFile(string path)
    {
        var text = InputFiles.ReadText(path, "schedule file");
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new CliException(ExitCodes.InvalidInput, $"schedule file '{path}': $: must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.InvalidInput, $"schedule file '{path}': {JsonText.DescribeSyntaxError(text, ex)}");
        }
    }

    private static void Set(JsonObject body, string name, JsonNode? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }

    private static void Set(JsonObject body, string name, string? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }

    private static string When(WorkflowScheduleInfo schedule) =>
        (schedule.Cron is { } cron ? $"cron {cron}" : $"every {schedule.Interval}") + (schedule.TimeZone is { } zone ? $" ({zone})" : "");

    private static string Describe(WorkflowScheduleInfo schedule) =>
        $"{schedule.WorkflowId} {When(schedule)}" + (schedule.NextFireTime is { } next ? $" · next fire {Time(next)} UTC" : "");

    private static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";
}
