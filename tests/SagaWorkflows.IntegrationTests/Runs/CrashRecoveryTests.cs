using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;

namespace SagaWorkflows.IntegrationTests.Runs;

public sealed class CrashRecoveryTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private const string SlowSteps = """
    {
      "id": "slow-steps",
      "steps": [
        { "id": "one", "type": "tool", "tool": "echo" },
        { "id": "two", "type": "tool", "tool": "delay", "input": { "ms": 1500, "run": "${ input.n }" } },
        { "id": "three", "type": "tool", "tool": "delay", "input": { "ms": 300, "run": "${ steps.two.run }" } },
        { "id": "four", "type": "tool", "tool": "echo" }
      ],
      "output": "${ steps.four.run }"
    }
    """;

    [Fact]
    public async Task Killing_the_orchestrator_process_mid_run_and_starting_it_again_completes_every_run_without_gaps()
    {
        var runs = new List<Guid>();
        for (var n = 0; n < 5; n++)
        {
            runs.Add(await system.StartRunAsync(SlowSteps, new { n }));
        }

        // Kill while the runs are inside their slow step: the worker's replies pile up in the saga's queue.
        foreach (var run in runs)
        {
            await system.Events.WaitForAsync(run, e => e.Any(x => x.Type == LifecycleEventTypes.StepStart && x.Path == "two"), TimeSpan.FromSeconds(60), system.Diagnostics);
        }

        system.Orchestrator!.Kill();
        await system.StartOrchestratorAsync();

        for (var n = 0; n < runs.Count; n++)
        {
            var events = await system.Events.WaitForTerminalAsync(runs[n], TimeSpan.FromSeconds(90), system.Diagnostics);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
            Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
            Assert.Equal(n, events[^1].Data!.Value.GetProperty("output").GetInt32());
            Assert.Equal(4, events.Count(e => e.Type == LifecycleEventTypes.StepComplete));
        }
    }
}
