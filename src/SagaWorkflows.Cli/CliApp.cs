using System.CommandLine;
using SagaWorkflows.Cli.Commands;
using SagaWorkflows.Cli.Rendering;

namespace SagaWorkflows.Cli;

/// <summary>The <c>sagawf</c> command tree. Each verb lives in <c>Commands/</c>.</summary>
public static class CliApp
{
    public static RootCommand CreateRootCommand(CliConsole console)
    {
        var root = new RootCommand($"""
            sagawf: validate, start, watch, signal, cancel and purge SagaWorkflows runs, schedule starts, or try it all with `sagawf demo`.
            Commands go over RabbitMQ (--rabbitmq, or ConnectionStrings__RabbitMq); events come from the SSE bridge (--bridge, or SAGAWF_BRIDGE).

            {ExitCodes.HelpText}
            """)
        {
            ValidateCommand.Create(console),
            StartCommand.Create(console),
            WatchCommand.Create(console),
            SignalCommand.Create(console),
            CancelCommand.Create(console),
            PurgeCommand.Create(console),
            ScheduleCommand.Create(console),
            DemoCommand.Create(console),
        };
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole? console = null)
    {
        console ??= CliConsole.CreateDefault();
        // "@path" means "JSON from this file" for --input and --payload (as in curl), so
        // System.CommandLine must not expand it as a response file first.
        var parseResult = CreateRootCommand(console).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var exitCode = await parseResult.InvokeAsync();

        // System.CommandLine reports its own parse errors with 1, which scripts could not tell from an
        // invalid definition.
        return parseResult.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
    }
}
