using Microsoft.EntityFrameworkCore;
using SagaWorkflows.Contracts;
using SagaWorkflows.Orchestration.Runs;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Orchestration.Tests.Embedded;

/// <summary>
/// A run whose steps never wait (a long loop of instant steps) is worked off in bounded transitions, each one
/// message of its own through the runs queue, so a run started meanwhile is not stuck behind it.
/// </summary>
public sealed class LongSynchronousRunTests
{
    private const string Spinner = """
        { "id": "spinner", "steps": [
            { "id": "loop", "type": "loop", "while": "iteration < 10000", "maxIterations": 10000,
              "steps": [ { "id": "nap", "type": "sleep", "duration": "PT0S" } ] } ],
          "output": { "spun": true } }
        """;

    private const string Quick = """{ "id": "quick", "steps": [ { "id": "hi", "type": "tool", "tool": "echo", "input": "hi" } ] }""";

    [Fact]
    public async Task A_ten_thousand_iteration_synchronous_loop_completes_without_starving_a_run_started_meanwhile()
    {
        await using var system = await EmbeddedSystem.StartAsync();
        var spinner = await system.StartRunAsync(Spinner);
        await Poll.UntilAsync(() => system.EventsOf(spinner).Count > 0, TimeSpan.FromSeconds(60), "the spinning run's first event");

        var quick = await system.StartRunAsync(Quick);
        var quickEvents = await system.WaitForEndAsync(quick, TimeSpan.FromSeconds(120));
        Assert.Equal(LifecycleEventTypes.WorkflowComplete, quickEvents[^1].Type);

        // The long run had committed its first transition before the short one started, and still had not
        // finished when the short one had: its work went through the queue in pieces, others' messages between them.
        var contexts = system.GetRequiredService<IDbContextFactory<WorkflowDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var state = await db.Runs.Where(r => r.CorrelationId == spinner).Select(r => r.CurrentState).SingleAsync();
            Assert.Equal("Running", state);
        }

        var events = await system.WaitForEndAsync(spinner, TimeSpan.FromSeconds(240));
        Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
        Assert.Equal("""{"spun":true}""", System.Text.Json.JsonSerializer.Serialize(events[^1].Data!.Value.GetProperty("output")));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));

        // workflow-start, the loop's start and end, two events per iteration, workflow-complete.
        Assert.Equal(1 + 2 + (2 * 10_000) + 1, events.Count);
    }
}
