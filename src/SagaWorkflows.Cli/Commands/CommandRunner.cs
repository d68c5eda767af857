using SagaWorkflows.Cli.Rendering;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary>Runs a verb's body, turning the failures users can act on into a message and an exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(CliConsole console, Func<CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body(cancellationToken);
        }
        catch (CliException problem)
        {
            console.Report(problem);
            return problem.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.MarkupLine("[grey]interrupted[/]");
            return ExitCodes.Interrupted;
        }
    }
}
