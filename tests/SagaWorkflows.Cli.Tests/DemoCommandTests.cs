namespace SagaWorkflows.Cli.Tests;

public class DemoCommandTests
{
    [Fact]
    public async Task Demo_runs_every_node_type_a_retry_and_a_compensation_in_order_and_exits_0()
    {
        // Six sample runs in one process: on a loaded 2-core box (load 50 seen) the demo took 57 s, too near a 60 s bound.
        var result = await CliProcess.RunAsync(["demo", "--no-page"], timeout: TimeSpan.FromSeconds(180));

        Assert.True(result.ExitCode == 0, result.ToString());
        var output = result.StdOut;
        foreach (var nodeType in new[] { "· tool", "· ai", "· parallel", "· foreach", "· loop", "· branch", "· wait", "· sleep", "· workflow" })
        {
            Assert.Contains(nodeType, output, StringComparison.Ordinal);
        }

        // A retry, then the run goes on; a failure, then compensation in reverse order of completion.
        Assert.Matches(@"↻ reserve · attempt 1 failed[\s\S]*↻ reserve · attempt 2 failed[\s\S]*✔ reserve", output);
        Assert.Matches(@"✖ ship ·[\s\S]*↩ compensation started[\s\S]*↩ charge compensated[\s\S]*↩ reserve compensated[\s\S]*↩ compensation complete", output);
        // The order's summary is a streamed ai step: its text is drawn in batches before it completes.
        Assert.Matches(@"▶ summary[\s\S]*✎ summary · \{""text"":""\[offline demo[\s\S]*✎ summary ·[\s\S]*✔ summary", output);
        // Child runs: the damaged item's child fails, then the parent undoes the packed children and the order, in reverse.
        Assert.Matches(@"✖ perItem\[2\]\.pack ·[\s\S]*↩ perItem\[1\]\.pack/reserve compensated[\s\S]*↩ perItem\[0\]\.pack/reserve compensated[\s\S]*↩ open compensated", output);
        Assert.Contains("Every run ended as expected.", output, StringComparison.Ordinal);
        Assert.Equal(6, result.StdOutLines.Count(l => l.Contains("│ yes ", StringComparison.Ordinal) || l.Contains("| yes ", StringComparison.Ordinal)));
    }
}
