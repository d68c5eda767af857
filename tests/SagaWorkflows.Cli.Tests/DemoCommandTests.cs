namespace SagaWorkflows.Cli.Tests;

public class DemoCommandTests
{
    [Fact]
    public async Task Demo_runs_every_node_type_a_retry_a_compensation_a_redrive_and_a_schedule_in_order_and_exits_0()
    {
        // Eight scenarios in one process: on a loaded 2-core box (load 50 seen) the demo took 57 s, too near a 60 s bound.
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
        // The order's summary is a streamed ai step: its text is drawn in batches, after its start and before it completes.
        // At least two: its 14 words come 40 ms apart and a batch is due after 100 ms. Where a batch ends depends on timing
        // (a starved worker may send the first word alone), so only the first batch's first word is known.
        Assert.Matches(@"▶ summary[\s\S]*✎ summary · \{""text"":""\[offline [\s\S]*✎ summary ·[\s\S]*✔ summary", output);
        Assert.DoesNotContain(result.StdOutLines.TakeWhile(l => !l.Contains("▶ summary", StringComparison.Ordinal)),
            l => l.Contains("✎ summary", StringComparison.Ordinal));
        // Child runs: the damaged item's child fails, then the parent undoes the packed children and the order, in reverse.
        Assert.Matches(@"✖ perItem\[2\]\.pack ·[\s\S]*↩ perItem\[1\]\.pack/reserve compensated[\s\S]*↩ perItem\[0\]\.pack/reserve compensated[\s\S]*↩ open compensated", output);
        // Redrive: the run fails while the carrier is down, without compensating; redriven after the outage, it goes on
        // from the failed step and completes, and the step that had completed is not run again.
        Assert.Matches(@"✖ book · Unavailable: carrier is unavailable \(a demo outage\) after 2 attempts[\s\S]*✖ workflow redrive failed · after[\s\S]*" +
            @"the carrier outage is over; redrive run[\s\S]*↻ workflow redrive redriven · going on after event \d+; running again: book\s[\s\S]*" +
            @"✔ book[\s\S]*✔ notify[\s\S]*✔ workflow redrive completed", output);
        Assert.Single(result.StdOutLines, l => l.Contains("▶ pack", StringComparison.Ordinal));
        Assert.Single(result.StdOutLines, l => l.Contains("│ workflow-complete after a redrive │ yes", StringComparison.Ordinal)
            || l.Contains("| workflow-complete after a redrive | yes", StringComparison.Ordinal));
        // Schedule: added, exactly two runs started by it, both completed, and it was removed.
        var scheduled = result.StdOutLines.Where(l => l.Contains("● workflow hello v1 started", StringComparison.Ordinal)
            && l.Contains("· by schedule demo-hello-every-2s for ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, scheduled.Count);
        Assert.Matches(@"✔ schedule demo-hello-every-2s added · hello every PT2S[\s\S]*by schedule demo-hello-every-2s[\s\S]*by schedule demo-hello-every-2s" +
            @"[\s\S]*✔ workflow hello completed[\s\S]*✔ schedule demo-hello-every-2s removed · as soon as it had started 2 runs", output);
        Assert.Equal(3, result.StdOutLines.Count(l => l.Contains("✔ workflow hello completed", StringComparison.Ordinal)));
        Assert.Contains("2 runs: workflow-complete", output, StringComparison.Ordinal);

        Assert.Contains("Every run ended as expected.", output, StringComparison.Ordinal);
        Assert.Equal(8, result.StdOutLines.Count(l => l.Contains("│ yes ", StringComparison.Ordinal) || l.Contains("| yes ", StringComparison.Ordinal)));
    }
}
