using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;

namespace SagaWorkflows.IntegrationTests.Runs;

/// <summary>The run supervisor polls only every five minutes here: timers must come through the scheduler.</summary>
public sealed class SlowSupervisorSystem : WorkflowSystem
{
    public override IReadOnlyDictionary<string, string> Environment =>
        new Dictionary<string, string>(base.Environment) { ["SagaWorkflows__Orchestrator__TimerPollInterval"] = "00:05:00" };
}

public sealed class ScheduledTimerTests(SlowSupervisorSystem system) : IClassFixture<SlowSupervisorSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sleeps_and_wait_timeouts_fire_through_the_durable_scheduler()
    {
        const string definition = """
        { "id": "timers", "steps": [
            { "id": "nap", "type": "sleep", "duration": "PT1S" },
            { "id": "approve", "type": "wait", "signal": "never", "timeout": "PT1S" } ] }
        """;
        var runId = await system.StartRunAsync(definition);

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        var started = events[0].Timestamp;
        var napDone = events.Single(e => e.Type == LifecycleEventTypes.StepComplete && e.Path == "nap").Timestamp;
        var waitFailed = events.Single(e => e.Type == LifecycleEventTypes.StepError && e.Path == "approve");
        Assert.InRange((napDone - started).TotalSeconds, 0.95, 30);
        Assert.Equal("Timeout", waitFailed.Data!.Value.GetProperty("error").GetProperty("type").GetString());
        Assert.InRange((waitFailed.Timestamp - napDone).TotalSeconds, 0.95, 30);
        Assert.Equal(LifecycleEventTypes.WorkflowError, events[^1].Type);
    }
}
