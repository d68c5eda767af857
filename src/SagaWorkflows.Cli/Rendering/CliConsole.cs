using Spectre.Console;

namespace SagaWorkflows.Cli.Rendering;

/// <summary>
/// Standard output for results, standard error for diagnostics. When redirected (scripts, tests, CI)
/// lines are not wrapped at an imagined 80 columns, so each message stays on one greppable line.
/// </summary>
public sealed class CliConsole
{
    private const int RedirectedWidth = 4096;

    public CliConsole(TextWriter output, TextWriter error, bool outputIsTerminal, bool errorIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        OutputWriter = output;
        Out = Create(output, outputIsTerminal);
        Error = Create(error, errorIsTerminal);
    }

    public IAnsiConsole Out { get; }

    public IAnsiConsole Error { get; }

    private TextWriter OutputWriter { get; }

    public static CliConsole CreateDefault() =>
        new(Console.Out, Console.Error, !Console.IsOutputRedirected, !Console.IsErrorRedirected);

    /// <summary>A line that scripts and tests compare verbatim: no markup parsing, no wrapping.</summary>
    public void WriteExactLine(string text, string? colour = null)
    {
        if (colour is not null && Out.Profile.Capabilities.Ansi)
        {
            Out.MarkupLine($"[{colour}]{Markup.Escape(text)}[/]");
            return;
        }

        OutputWriter.WriteLine(text);
        OutputWriter.Flush();
    }

    public void Report(CliException problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Error.MarkupLine($"[red]error:[/] {Markup.Escape(problem.Message)}");
        foreach (var detail in problem.Details)
        {
            Error.MarkupLine($"  {Markup.Escape(detail)}");
        }

        if (problem.Hint is { } hint)
        {
            Error.MarkupLine($"[grey]hint:[/] {Markup.Escape(hint)}");
        }
    }

    private static IAnsiConsole Create(TextWriter writer, bool isTerminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!isTerminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
