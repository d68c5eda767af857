using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;

namespace SagaWorkflows.IntegrationTests.Runs;

public sealed class RetryRunTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_tool_that_fails_twice_completes_on_attempt_three_with_gaps_following_the_policy()
    {
        const string definition = """
        { "id": "flaky", "steps": [ { "id": "f", "type": "tool", "tool": "flaky", "input": { "failTimes": 2, "errorType": "Transient" },
            "retry": { "maxAttempts": 4, "initialInterval": "PT1S", "backoffRate": 2.0 } } ] }
        """;
        var runId = await system.StartRunAsync(definition);

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        var retries = events.Where(e => e.Type == LifecycleEventTypes.StepRetry).ToList();
        var complete = events.Single(e => e.Type == LifecycleEventTypes.StepComplete);
        Assert.Equal([1, 2], retries.Select(r => r.Attempt!.Value));
        Assert.Equal([1000L, 2000L], retries.Select(r => r.Data!.Value.GetProperty("delayMs").GetInt64()));
        Assert.Equal(3, complete.Attempt);
        Assert.Equal(3, complete.Data!.Value.GetProperty("output").GetProperty("attempt").GetInt32());

        // Attempt n+1 happens one delay after attempt n failed: measured between the reports.
        var firstGap = retries[1].Timestamp - retries[0].Timestamp;
        var secondGap = complete.Timestamp - retries[1].Timestamp;
        Assert.InRange(firstGap.TotalSeconds, 0.95, 2.0);
        Assert.InRange(secondGap.TotalSeconds, 1.95, 3.2);
    }

    [Fact]
    public async Task A_non_retryable_error_stops_at_attempt_one()
    {
        const string definition = """
        { "id": "nonretryable", "steps": [ { "id": "f", "type": "tool", "tool": "fail", "input": { "errorType": "OutOfStock", "message": "none left" },
            "retry": { "maxAttempts": 5, "initialInterval": "PT0.2S", "nonRetryable": ["OutOfStock"] } } ] }
        """;
        var runId = await system.StartRunAsync(definition);

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.DoesNotContain(events, e => e.Type == LifecycleEventTypes.StepRetry);
        var error = events.Single(e => e.Type == LifecycleEventTypes.StepError);
        Assert.Equal(1, error.Attempt);
        Assert.Equal("OutOfStock", error.Data!.Value.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Exhausted_attempts_give_step_error()
    {
        const string definition = """
        { "id": "exhausted", "steps": [ { "id": "f", "type": "tool", "tool": "flaky", "input": { "failTimes": 9 },
            "retry": { "maxAttempts": 3, "initialInterval": "PT0.2S", "backoffRate": 1.0 } } ] }
        """;
        var runId = await system.StartRunAsync(definition);

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal([1, 2], events.Where(e => e.Type == LifecycleEventTypes.StepRetry).Select(e => e.Attempt!.Value));
        Assert.Equal(3, events.Single(e => e.Type == LifecycleEventTypes.StepError).Attempt);
        Assert.Equal(LifecycleEventTypes.WorkflowError, events[^1].Type);
    }

    [Fact]
    public async Task An_attempt_that_exceeds_its_timeout_is_retried()
    {
        const string definition = """
        { "id": "slowpoke", "steps": [ { "id": "slow", "type": "tool", "tool": "delay", "input": { "ms": 5000 }, "timeout": "PT0.5S",
            "retry": { "maxAttempts": 2, "initialInterval": "PT0.2S" } } ] }
        """;
        var runId = await system.StartRunAsync(definition);

        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        var retry = Assert.Single(events, e => e.Type == LifecycleEventTypes.StepRetry);
        Assert.Equal("Timeout", retry.Data!.Value.GetProperty("error").GetProperty("type").GetString());
        var error = events.Single(e => e.Type == LifecycleEventTypes.StepError);
        Assert.Equal(2, error.Attempt);
        Assert.Equal("Timeout", error.Data!.Value.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_retry_scheduled_before_an_orchestrator_restart_still_happens_after_it()
    {
        const string definition = """
        { "id": "durable-retry", "steps": [ { "id": "f", "type": "tool", "tool": "flaky", "input": { "failTimes": 1 },
            "retry": { "maxAttempts": 3, "initialInterval": "PT4S" } } ] }
        """;
        var runId = await system.StartRunAsync(definition);
        await system.Events.WaitForAsync(runId, e => e.Any(x => x.Type == LifecycleEventTypes.StepRetry), Timeout, system.Diagnostics);

        // The scheduler lives in the orchestrator: the redelivery is only in its Quartz store now.
        system.Orchestrator!.Kill();
        await system.StartOrchestratorAsync();
        var events = await system.Events.WaitForTerminalAsync(runId, Timeout, system.Diagnostics);

        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        Assert.Equal(2, events.Single(e => e.Type == LifecycleEventTypes.StepComplete).Attempt);
    }
}
