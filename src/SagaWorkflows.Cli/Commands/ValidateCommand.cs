using System.CommandLine;
using SagaWorkflows.Cli.Input;
using SagaWorkflows.Cli.Rendering;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary><c>sagawf validate &lt;file&gt;</c>: the checks the orchestrator makes before a run starts, offline.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("file") { Description = "The workflow definition (JSON) to check." };
        var command = new Command("validate",
            "Check a workflow definition. Prints every problem as `path: message`, one per line, and exits 1; prints one OK line and exits 0 when valid.")
        {
            file,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console,
            _ => Task.FromResult(Run(console, parseResult.GetValue(file)!)), cancellationToken));
        return command;
    }

    private static int Run(CliConsole console, string path)
    {
        var (_, result) = DefinitionFile.Load(path);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                console.WriteExactLine(error.ToString(), "red");
            }

            var count = result.Errors.Count;
            console.Error.MarkupLine($"[red]✖ {Markup.Escape(path)}: {count} problem{(count == 1 ? "" : "s")}[/]");
            return ExitCodes.InvalidInput;
        }

        var definition = result.Definition!;
        var steps = definition.Steps.Count;
        console.WriteExactLine($"✔ {path}: workflow '{definition.Id}' v{definition.Version} is valid ({steps} top-level step{(steps == 1 ? "" : "s")})", "green");
        return ExitCodes.Success;
    }
}
