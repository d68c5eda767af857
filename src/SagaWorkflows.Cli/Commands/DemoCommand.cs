using System.CommandLine;
using System.Diagnostics;
using SagaWorkflows.Cli.Demo;
using SagaWorkflows.Cli.Rendering;
using Spectre.Console;

namespace SagaWorkflows.Cli.Commands;

/// <summary>
/// <c>sagawf demo</c>: the product end to end in this process (in-memory transport, SQLite), running
/// the samples — every node type, a retried step, a compensated failure, a redriven failure, a schedule — rendered live.
/// </summary>
internal static class DemoCommand
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    public static Command Create(CliConsole console)
    {
        var port = new Option<int?>("--port") { Description = "Serve the live run page on this local port while the demo runs (default: any free port)." };
        var noPage = new Option<bool>("--no-page") { Description = "Do not serve the live run page." };
        var command = new Command("demo",
            "Run the sample workflows in this process (in-memory transport, SQLite; nothing to install) and show their lifecycle events live. Exit code 0 when every run ends as expected.")
        {
            port, noPage,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console,
            ct => RunAsync(console, parseResult.GetValue(noPage) ? null : parseResult.GetValue(port) ?? 0, ct), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, int? port, CancellationToken cancellationToken)
    {
        var output = console.Out;
        output.MarkupLine("[bold]── SagaWorkflows demo ──[/]");
        output.MarkupLine("[grey]Orchestrator saga, sample worker and SSE bridge in one process, on MassTransit's in-memory transport with SQLite.[/]");

        var renderer = new EventRenderer(output);
        await using var demo = await EmbeddedDemo.StartAsync(renderer, output, port == 0 ? null : port, cancellationToken);
        if (port is not null && demo.PageAddress is { } page)
        {
            output.MarkupLine($"[grey]Live run page while the demo runs:[/] [link]{Markup.Escape(page.ToString())}[/]");
        }

        var results = new List<(DemoScenario Scenario, string EndedWith, TimeSpan Took, bool AsExpected)>();
        var scenarios = DemoScenario.All;
        for (var i = 0; i < scenarios.Count; i++)
        {
            var scenario = scenarios[i];
            output.WriteLine();
            output.MarkupLine($"[bold]── {i + 1}/{scenarios.Count} {Markup.Escape(scenario.Title)}[/]: {Markup.Escape(scenario.Shows)} ──");
            var clock = Stopwatch.StartNew();
            var outcome = await demo.RunAsync(scenario, RunTimeout, cancellationToken);
            clock.Stop();
            foreach (var run in outcome.Runs)
            {
                renderer.RenderSummary(run.RunId);
            }

            results.Add((scenario, EndedWith(outcome), clock.Elapsed, outcome.IsAsExpected(scenario)));
        }

        output.WriteLine();
        var table = new Table().Title("[bold]Summary[/]").AddColumns("run", "shows", "ended with", "as expected", "took");
        foreach (var (scenario, endedWith, took, asExpected) in results)
        {
            table.AddRow(
                Markup.Escape(scenario.Title),
                Markup.Escape(scenario.Shows),
                Markup.Escape(endedWith),
                asExpected ? "[green]yes[/]" : "[red]no[/]",
                $"{took.TotalSeconds:0.0} s");
        }

        output.Write(table);
        var allAsExpected = results.All(r => r.AsExpected);
        output.MarkupLine(allAsExpected
            ? "[green]Every run ended as expected.[/] Next: run it on RabbitMQ — see README.md."
            : "[red]Some runs did not end as expected.[/]");
        return allAsExpected ? ExitCodes.Success : ExitCodes.RunFailed;
    }

    /// <summary><c>workflow-error (Compensated)</c>; <c>workflow-complete after a redrive</c>; <c>2 runs: workflow-complete</c> for a schedule.</summary>
    private static string EndedWith(DemoOutcome outcome)
    {
        var endings = outcome.Runs
            .Select(r => (DemoOutcome.Status(r) is { } status ? $"{r.Type} ({status})" : r.Type) + (outcome.Redriven.Contains(r.RunId) ? " after a redrive" : ""))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return outcome.Runs.Count == 1 ? endings[0] : $"{outcome.Runs.Count} runs: {string.Join(", ", endings)}";
    }
}
