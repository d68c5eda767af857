using System.Text;
using System.Text.Json;

namespace SagaWorkflows.Benchmarks.Reporting;

/// <summary>Writes benchmark.json (for scripts and comparisons) and benchmark.md (for people and pull requests).</summary>
public static class ReportWriter
{
    public const string JsonFile = "benchmark.json";
    public const string MarkdownFile = "benchmark.md";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static IReadOnlyList<string> Write(BenchmarkReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, JsonFile);
        var markdown = Path.Combine(directory, MarkdownFile);
        File.WriteAllText(json, JsonSerializer.Serialize(report, Json));
        File.WriteAllText(markdown, Markdown(report));
        return [json, markdown];
    }

    private static string Markdown(BenchmarkReport report)
    {
        var md = new StringBuilder();
        md.AppendLine($"# SagaWorkflows benchmark, {report.StartedAt:yyyy-MM-dd HH:mm} UTC{(report.QuickMode ? " (quick mode: figures are meaningless)" : "")}");
        md.AppendLine();
        md.AppendLine($"{(report.Succeeded ? "All scenarios succeeded" : "**Some scenarios failed**")} in {report.Seconds:0} s.");
        md.AppendLine();
        if (report.Headline.Count > 0)
        {
            md.AppendLine("## Headline");
            md.AppendLine();
            md.AppendLine("| figure | value | unit |");
            md.AppendLine("|---|---:|---|");
            foreach (var metric in report.Headline)
            {
                md.AppendLine($"| {metric.Label} | **{Figures.Format(metric.Value)}** | {metric.Unit} |");
            }

            md.AppendLine();
        }

        foreach (var scenario in report.Scenarios)
        {
            md.AppendLine($"## {scenario.Title}{(scenario.Succeeded ? "" : " — FAILED")}");
            md.AppendLine();
            if (scenario.Error is not null)
            {
                md.AppendLine($"Error: `{scenario.Error.ReplaceLineEndings(" ")}`");
                md.AppendLine();
            }

            foreach (var note in scenario.Notes)
            {
                md.AppendLine($"_{note}_");
                md.AppendLine();
            }

            md.AppendLine("| figure | value | unit |");
            md.AppendLine("|---|---:|---|");
            foreach (var metric in scenario.Metrics)
            {
                md.AppendLine($"| {metric.Label} | {Figures.Format(metric.Value)} | {metric.Unit} |");
            }

            md.AppendLine();
        }

        md.AppendLine("## Environment");
        md.AppendLine();
        foreach (var (key, value) in report.Environment.Concat(report.Parameters))
        {
            md.AppendLine($"- {key}: {value}");
        }

        return md.ToString();
    }
}
