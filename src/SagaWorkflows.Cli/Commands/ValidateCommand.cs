using System.CommandLine;
using SagaWorkflows.Cli.Input;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Core.Nodes;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary><c>sagawf validate &lt;file&gt;</c>: the checks the orchestrator makes before a run starts, offline.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("file") { Description = "The workflow definition (JSON) to check." };
        var definitions = new Option<string?>("--definitions")
        {
            Description = "A folder of workflow definitions (*.json) that `workflow` steps may name by workflowId; default: the file's own folder.",
        };
        var command = new Command("validate",
            "Check a workflow definition. Prints every problem as `path: message`, one per line, and exits 1; prints one OK line and exits 0 when valid.")
        {
            file,
            definitions,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console,
            _ => Task.FromResult(Run(console, parseResult.GetValue(file)!, parseResult.GetValue(definitions))), cancellationToken));
        return command;
    }

    private static int Run(CliConsole console, string path, string? definitionsFolder)
    {
        var (_, result) = DefinitionFile.Load(path);
        if (result.IsValid)
        {
            // Child workflows named by id are looked up among the definitions beside it, as the orchestrator looks them up in its registry.
            var known = DefinitionFile.LoadFolder(definitionsFolder ?? Path.GetDirectoryName(Path.GetFullPath(path))!);
            var childProblems = ChildWorkflowReferences.Check(result.Definition!, (id, version) =>
                known.Where(d => d.Id == id && (version is null || d.Version == version)).OrderByDescending(d => d.Version).Select(d => d.Json).FirstOrDefault());
            if (childProblems.Count > 0)
            {
                result = result with { Definition = null, Errors = childProblems };
            }
        }

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
