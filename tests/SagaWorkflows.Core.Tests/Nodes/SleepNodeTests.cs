using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>sleep</c>: how it is read (an ISO 8601 duration) and how it runs (a durable timer).</summary>
public class SleepNodeTests
{
    [Theory]
    [InlineData("PT30S", 30_000)]
    [InlineData("PT0.5S", 500)]
    [InlineData("PT5M", 300_000)]
    [InlineData("PT1H30M", 5_400_000)]
    [InlineData("P1D", 86_400_000)]
    [InlineData("P1DT2H", 93_600_000)]
    [InlineData("PT0S", 0)]
    public void Sleep_step_reads_iso_8601_durations(string duration, long milliseconds)
    {
        var sleep = Single<SleepStep>($$"""{ "id": "nap", "type": "sleep", "duration": "{{duration}}" }""");

        Assert.Equal("sleep", sleep.Type);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), sleep.Duration);
    }

    [Fact]
    public void Sleep_completes_when_its_timer_is_due_and_passes_its_input_through()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "nap", "type": "sleep", "duration": "PT1M" } ] }""", new { keep = 1 });
        Assert.Equal(run.Now + TimeSpan.FromMinutes(1), run.WakeAt);
        Assert.Equal([run.Now + TimeSpan.FromMinutes(1)], run.ScheduledWakes);

        run.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("""{"keep":1}""", run.State.Output!.ToJsonString());
    }
}
