using Spectre.Console;

namespace SagaWorkflows.Benchmarks.Reporting;

public static class ConsoleReport
{
    public static void WriteHeader(BenchmarkReport report)
    {
        if (Console.IsOutputRedirected)
        {
            // Spectre falls back to 80 columns when redirected, which wraps every row of the table.
            AnsiConsole.Profile.Width = 160;
        }

        AnsiConsole.Write(new Rule($"SagaWorkflows benchmark{(report.QuickMode ? " (quick mode: figures are meaningless)" : "")}").LeftJustified());
        AnsiConsole.MarkupLineInterpolated($"[grey]{string.Join("  ", report.Environment.Select(e => $"{e.Key}={e.Value}"))}[/]");
        AnsiConsole.MarkupLineInterpolated($"[grey]{string.Join("  ", report.Parameters.Select(p => $"{p.Key}={p.Value}"))}[/]");
    }

    public static void Write(BenchmarkReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Results");
        table.AddColumn("Scenario");
        table.AddColumn("Figure");
        table.AddColumn(new TableColumn("Value").RightAligned());
        table.AddColumn("Unit");
        foreach (var scenario in report.Scenarios)
        {
            var title = scenario.Succeeded ? $"[bold]{Markup.Escape(scenario.Title)}[/]" : $"[bold red]{Markup.Escape(scenario.Title)} FAILED[/]";
            table.AddRow(title, scenario.Succeeded ? "" : $"[red]{Markup.Escape(scenario.Error ?? "")}[/]", "", "");
            foreach (var metric in scenario.Metrics)
            {
                table.AddRow("", Markup.Escape(metric.Label), Figures.Format(metric.Value), Markup.Escape(metric.Unit));
            }
        }

        AnsiConsole.Write(table);

        if (report.Headline.Count > 0)
        {
            var headline = new Table().Border(TableBorder.Double).Title("Headline");
            headline.AddColumn("Figure");
            headline.AddColumn(new TableColumn("Value").RightAligned());
            headline.AddColumn("Unit");
            foreach (var metric in report.Headline)
            {
                headline.AddRow(Markup.Escape(metric.Label), $"[bold]{Figures.Format(metric.Value)}[/]", Markup.Escape(metric.Unit));
            }

            AnsiConsole.Write(headline);
        }

        AnsiConsole.MarkupLine((report.Succeeded ? "[green]all scenarios succeeded[/]" : "[red]some scenarios failed[/]")
            + Markup.Escape(FormattableString.Invariant($" in {report.Seconds:0.0} s")));
    }
}
