using MassTransit;
using Microsoft.EntityFrameworkCore;
using SagaWorkflows.Contracts;
using SagaWorkflows.Orchestration.Runs;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Orchestration.Tests.Embedded;

/// <summary>
/// A message that fails the same way every time is tried a few times, moved to the error queue, and its run
/// fails with a <c>workflow-error</c> that says so: no endless redelivery, no run hanging, no endless re-wake.
/// </summary>
public sealed class PoisonMessageTests
{
    private const string Sleeper = """
        { "id": "sleeper", "steps": [ { "id": "nap", "type": "sleep", "duration": "PT0.3S" }, { "id": "after", "type": "tool", "tool": "echo" } ] }
        """;

    [Fact]
    public async Task A_run_whose_wake_up_keeps_failing_fails_with_a_workflow_error_naming_the_poison_message()
    {
        await using var system = await EmbeddedSystem.StartAsync(orchestrator: o =>
        {
            o.CachedRuns = 0;
            o.PoisonMessageAttempts = 3;
        });
        var runId = await system.StartRunAsync(Sleeper);
        await Poll.UntilAsync(() => system.EventsOf(runId).Any(e => e.Type == LifecycleEventTypes.StepStart && e.StepId == "nap"),
            TimeSpan.FromSeconds(15), "the run started its sleep");
        var seen = system.EventsOf(runId).Max(e => e.Sequence);

        // The row is now something the engine cannot read: every message of this run throws.
        var contexts = system.GetRequiredService<IDbContextFactory<WorkflowDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var changed = await db.Runs.Where(r => r.CorrelationId == runId).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.StateJson, $$"""{ "sequence": {{seen}}, "root": 12 }""")
                .SetProperty(r => r.Version, r => r.Version + 1));
            Assert.Equal(1, changed);
        }

        var events = await system.WaitForEndAsync(runId, TimeSpan.FromSeconds(20));

        var end = events[^1];
        Assert.Equal(LifecycleEventTypes.WorkflowError, end.Type);
        Assert.Equal(seen + 1, end.Sequence);
        var error = end.Data!.Value.GetProperty("error");
        Assert.Equal(WorkflowRunner.PoisonMessageError, error.GetProperty("type").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("WakeWorkflowRun message for this run failed 3 times", message, StringComparison.Ordinal);
        Assert.Contains("moved to the error queue", message, StringComparison.Ordinal);

        // Failed, the run has no timer left: the supervisor stops waking it.
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var run = await db.Runs.AsNoTracking().SingleAsync(r => r.CorrelationId == runId);
            Assert.Null(run.WakeAt);
            Assert.Equal("Failed", run.CurrentState);
        }

        // And the engine keeps serving other runs.
        var next = await system.RunAsync("""{ "id": "ok", "steps": [ { "id": "a", "type": "tool", "tool": "echo", "input": 1 } ] }""");
        Assert.Equal(LifecycleEventTypes.WorkflowComplete, next[^1].Type);
    }

    [Fact]
    public async Task A_definition_with_duplicate_root_keys_is_rejected_with_a_clear_error_not_a_poison_loop()
    {
        await using var system = await EmbeddedSystem.StartAsync();

        var events = await system.RunAsync("""{ "id": "dup", "id": "dup2", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""",
            timeout: TimeSpan.FromSeconds(20));

        var end = Assert.Single(events);
        Assert.Equal(LifecycleEventTypes.WorkflowError, end.Type);
        var errors = end.Data!.Value.GetProperty("error").GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(errors, e => e!.StartsWith("$.id: duplicate property", StringComparison.Ordinal));
    }
}
