using System.Text.Json;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Benchmarks.Tests;

/// <summary>
/// The benchmark is not a test, but it must keep working: quick mode runs every scenario at tiny sizes
/// against the real broker. Figures are never asserted; a shared CI machine makes them meaningless.
/// </summary>
public sealed class QuickModeTests : IDisposable
{
    private static readonly string[] Scenarios = ["request-response", "courier", "step-floor", "sequential", "fan-out", "scaling", "suspended", "hot-path"];

    private readonly TempDirectory _directory = new("sagawf-bench-test-");

    /// <summary>The results folder, which the benchmark creates.</summary>
    private string Output => _directory.Combine("results");

    [Fact]
    public async Task Quick_mode_runs_every_scenario_and_writes_json_and_markdown_results()
    {
        var run = await BenchmarkProcess.RunAsync(TimeSpan.FromSeconds(110), "--quick", "--out", Output);

        Assert.True(run.ExitCode == 0, $"the benchmark exited with {run.ExitCode}:\n{run.Output}");
        var json = Path.Combine(Output, "benchmark.json");
        var markdown = Path.Combine(Output, "benchmark.md");
        Assert.True(File.Exists(json), $"{json} was not written:\n{run.Output}");
        Assert.True(File.Exists(markdown), $"{markdown} was not written:\n{run.Output}");

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var scenarios = report.RootElement.GetProperty("scenarios").EnumerateArray()
            .ToDictionary(s => s.GetProperty("id").GetString()!, s => s);
        Assert.Equal(Scenarios.Order(), scenarios.Keys.Order());
        foreach (var (id, scenario) in scenarios)
        {
            Assert.True(scenario.GetProperty("succeeded").GetBoolean(), $"{id}: {scenario.GetProperty("error")}");
            Assert.NotEmpty(scenario.GetProperty("metrics").EnumerateArray());
        }

        var headline = report.RootElement.GetProperty("headline").EnumerateArray().Select(m => m.GetProperty("key").GetString()).ToList();
        Assert.Contains("stepsOverRoundTrips", headline);
        Assert.Contains("stepsOverCourierActivities", headline);

        var text = await File.ReadAllTextAsync(markdown);
        Assert.Contains("## Headline", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stores_scenario_runs_the_sequential_load_on_SQLite_and_on_PostgreSQL_with_one_and_three_orchestrators()
    {
        var run = await BenchmarkProcess.RunAsync(TimeSpan.FromSeconds(240), "--quick", "--scenarios", "stores", "--out", Output);

        Assert.True(run.ExitCode == 0, $"the benchmark exited with {run.ExitCode}:\n{run.Output}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Output, "benchmark.json")));
        var scenario = Assert.Single(report.RootElement.GetProperty("scenarios").EnumerateArray());
        Assert.Equal("stores", scenario.GetProperty("id").GetString());
        Assert.True(scenario.GetProperty("succeeded").GetBoolean(), $"{scenario.GetProperty("error")}\n{run.Output}");
        var metrics = scenario.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!, m => m.GetProperty("value").GetDouble());
        foreach (var variant in new[] { "sqlite1", "postgres1", "postgres3" })
        {
            Assert.True(metrics[$"{variant}StepsPerSecond"] > 0, $"{variant}: no step completed");
            Assert.True(metrics[$"{variant}ConflictsPer1000"] >= 0);
        }

        Assert.Contains("postgres3OverSqlite", metrics.Keys);
        var headline = report.RootElement.GetProperty("headline").EnumerateArray().Select(m => m.GetProperty("key").GetString()).ToList();
        Assert.Contains("postgres3ConflictsPer1000", headline);
    }

    [Fact]
    public async Task An_unknown_scenario_is_refused_with_a_usage_error()
    {
        var run = await BenchmarkProcess.RunAsync(TimeSpan.FromSeconds(60), "--scenarios", "no-such-scenario", "--out", Output);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown scenario", run.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Output));
    }

    public void Dispose() => _directory.Dispose();
}
