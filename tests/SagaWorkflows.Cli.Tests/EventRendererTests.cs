using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Cli.Tests;

/// <summary>The renderer as the embedded demo uses it: in process, fed events directly.</summary>
public class EventRendererTests
{
    private static (EventRenderer Renderer, StringWriter Output) Create(EventRendererOptions? options = null)
    {
        var output = new StringWriter();
        var console = new CliConsole(output, new StringWriter(), outputIsTerminal: false, errorIsTerminal: false);
        return (new EventRenderer(console.Out, options), output);
    }

    private static string[] Lines(StringWriter output) =>
        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public void Replayed_events_are_rendered_once()
    {
        var (renderer, output) = Create();
        var runId = Guid.NewGuid();
        var events = EngineScript.Play("hello", runId);

        var rendered = events.Concat(events).Sum(e => renderer.Render(e).Count);

        Assert.Equal(events.Count, rendered);
        Assert.Single(Lines(output), l => l.Contains("✔ workflow hello completed", StringComparison.Ordinal));
        Assert.Equal(LifecycleEventTypes.WorkflowComplete, renderer.Run(runId)!.Outcome);
    }

    [Fact]
    public void Interleaved_runs_are_told_apart_by_workflow_id_and_summarised_separately()
    {
        var (renderer, output) = Create(new EventRendererOptions { ShowWorkflowId = true, ShowData = false });
        var hello = EngineScript.Play("hello", Guid.NewGuid());
        var compensation = EngineScript.Play("compensation", Guid.NewGuid());

        Parallel.ForEach([hello, compensation], events =>
        {
            foreach (var e in events)
            {
                renderer.Render(e);
            }
        });
        renderer.RenderSummary(compensation[0].RunId);

        var lines = Lines(output);
        Assert.Contains(lines, l => l.Contains("[hello]   ✔ shout", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("[compensation]   ↩ charge compensated · by echo", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(" → ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✖ compensation failed (Compensated) in 1.05 s · 3 steps · 1 retry · 2 compensated", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("└── ✖ ship tool · 2 attempts · 300 ms CarrierDown", StringComparison.Ordinal));
    }

    [Fact]
    public void Order_fulfillment_summary_nests_iterations_and_counts_the_retries()
    {
        var (renderer, output) = Create();
        var runId = Guid.NewGuid();
        foreach (var e in EngineScript.Play("order-fulfillment", runId))
        {
            renderer.Render(e);
        }

        renderer.RenderSummary(runId);

        var lines = Lines(output);
        Assert.Contains(lines, l => l.Contains("↻ reserve · attempt 2 failed: Transient: flaky failure · retrying as attempt 3 in 200 ms", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("✔ reserve · 450 ms · attempt 3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("✔ order-fulfillment completed", StringComparison.Ordinal) && l.Contains("· 2 retries ·", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("│   ├── [0]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("│   │   └── ✔ charge tool", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("│   └── #3", StringComparison.Ordinal));
    }

    [Fact]
    public void Events_that_overtook_earlier_ones_are_rendered_in_sequence_order()
    {
        var (inOrder, expected) = Create(new EventRendererOptions { ShowData = false });
        var (scrambled, actual) = Create(new EventRendererOptions { ShowData = false });
        var runId = Guid.NewGuid();
        var events = EngineScript.Play("order-fulfillment", runId);

        foreach (var e in events)
        {
            inOrder.Render(e);
        }

        var heldBack = events.Reverse().Sum(e => scrambled.Render(e).Count);
        inOrder.RenderSummary(runId);
        scrambled.RenderSummary(runId);

        Assert.Equal(events.Count, heldBack);
        Assert.Equal(Lines(expected), Lines(actual));
        Assert.Equal(events.Count, scrambled.LastSequence(runId));
    }

    [Fact]
    public void A_streamed_steps_text_is_drawn_as_it_grows_until_the_step_completes()
    {
        var (renderer, output) = Create(new EventRendererOptions { ShowData = false });
        var runId = Guid.NewGuid();
        var events = EngineScript.Play("order-fulfillment", runId);
        var summaryStarts = events.ToList().FindIndex(e => e.Type == LifecycleEventTypes.StepStart && e.Path == "summary");
        var summaryEnds = events.ToList().FindIndex(e => e.Type == LifecycleEventTypes.StepComplete && e.Path == "summary");
        foreach (var e in events.Take(summaryStarts + 1))
        {
            renderer.Render(e);
        }

        Assert.True(renderer.RenderProgress(Progress(runId, 1, 0, "{\"text\":\"An order ")));
        Assert.False(renderer.RenderProgress(Progress(runId, 1, 0, "{\"text\":\"An order ")));
        Assert.True(renderer.RenderProgress(Progress(runId, 2, 18, "of two items\"}")));
        foreach (var e in events.Skip(summaryStarts + 1).Take(summaryEnds - summaryStarts))
        {
            renderer.Render(e);
        }

        Assert.False(renderer.RenderProgress(Progress(runId, 3, 32, " (late)")));
        var drawn = Lines(output).Where(l => l.Contains("✎ summary", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, drawn.Count);
        Assert.EndsWith("✎ summary · {\"text\":\"An order", drawn[0].TrimEnd(), StringComparison.Ordinal);
        Assert.EndsWith("✎ summary · of two items\"}", drawn[1].TrimEnd(), StringComparison.Ordinal);
        Assert.Contains(Lines(output).SkipWhile(l => !l.Contains("✎ summary", StringComparison.Ordinal)), l => l.Contains("✔ summary", StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_that_overtakes_its_steps_start_is_drawn_right_after_the_start_in_the_order_it_came()
    {
        var (renderer, output) = Create(new EventRendererOptions { ShowData = false });
        var runId = Guid.NewGuid();
        var events = EngineScript.Play("order-fulfillment", runId).ToList();
        var summaryStarts = events.FindIndex(e => e.Type == LifecycleEventTypes.StepStart && e.Path == "summary");
        var summaryEnds = events.FindIndex(e => e.Type == LifecycleEventTypes.StepComplete && e.Path == "summary");
        foreach (var e in events.Take(summaryStarts - 1))
        {
            renderer.Render(e);
        }

        // The first batch comes before the step-start; the second after it, while it waits for the event before it.
        Assert.False(renderer.RenderProgress(Progress(runId, 1, 0, "{\"text\":\"An order ")));
        Assert.Empty(renderer.Render(events[summaryStarts]));
        Assert.False(renderer.RenderProgress(Progress(runId, 2, 18, "of two ")));
        Assert.Equal(2, renderer.Render(events[summaryStarts - 1]).Count);
        Assert.True(renderer.RenderProgress(Progress(runId, 3, 25, "items\"}")));
        foreach (var e in events.Skip(summaryStarts + 1).Take(summaryEnds - summaryStarts))
        {
            renderer.Render(e);
        }

        var lines = Lines(output).SkipWhile(l => !l.Contains("▶ summary", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(Lines(output).TakeWhile(l => !l.Contains("▶ summary", StringComparison.Ordinal)), l => l.Contains("✎ summary", StringComparison.Ordinal));
        Assert.Collection(lines.Where(l => l.Contains(" summary", StringComparison.Ordinal)).Select(l => l.TrimEnd()),
            start => Assert.Contains("▶ summary", start, StringComparison.Ordinal),
            first => Assert.EndsWith("✎ summary · {\"text\":\"An order", first, StringComparison.Ordinal),
            second => Assert.EndsWith("✎ summary · of two", second, StringComparison.Ordinal),
            third => Assert.EndsWith("✎ summary · items\"}", third, StringComparison.Ordinal),
            complete => Assert.Contains("✔ summary", complete, StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_a_schedule_started_names_the_schedule_and_the_fire_it_stands_for()
    {
        var (renderer, output) = Create(new EventRendererOptions { ShowData = false });
        var runId = Guid.NewGuid();

        renderer.Render(new WorkflowLifecycleEvent
        {
            RunId = runId,
            WorkflowId = "hello",
            Sequence = 1,
            Type = LifecycleEventTypes.WorkflowStart,
            Timestamp = DateTimeOffset.UtcNow,
            Data = System.Text.Json.JsonSerializer.SerializeToElement(new
            {
                version = 1,
                schedule = new { id = "hello-every-minute", fireTime = new DateTimeOffset(2026, 12, 2, 13, 17, 16, TimeSpan.Zero) },
            }),
        });

        Assert.EndsWith($"● workflow hello v1 started · run {runId} · by schedule hello-every-minute for 13:17:16 UTC", Assert.Single(Lines(output)), StringComparison.Ordinal);
    }

    private static StepProgress Progress(Guid runId, int index, int offset, string delta) => new()
    {
        RunId = runId,
        WorkflowId = "order-fulfillment",
        StepId = "summary",
        Path = "summary",
        Attempt = 1,
        Index = index,
        Offset = offset,
        Delta = delta,
        Timestamp = DateTimeOffset.UtcNow,
    };
}
