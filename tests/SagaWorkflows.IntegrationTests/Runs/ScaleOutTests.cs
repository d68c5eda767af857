using System.Text.RegularExpressions;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SagaWorkflows.IntegrationTests.Runs;

public sealed class ScaleOutTests(WorkflowSystem system, ITestOutputHelper output) : IClassFixture<WorkflowSystem>
{
    private const int Steps = 12;

    // Each step echoes the previous step's output, so the run's output is its input only if every transition
    // saw the state its predecessor committed, whichever process handled it.
    private static readonly string Relay = $$"""
    {
      "id": "relay",
      "steps": [ {{string.Join(", ", Enumerable.Range(1, Steps).Select(i => $$"""{ "id": "s{{i}}", "type": "tool", "tool": "echo" }"""))}} ],
      "output": "${ steps.s{{Steps}}.n }"
    }
    """;

    [Fact]
    public async Task Two_orchestrator_processes_sharing_the_store_and_the_runs_queue_complete_every_run_without_gaps()
    {
        await system.StartSecondOrchestratorAsync();

        // A run's replies go to whichever orchestrator takes them, so each process's cached copy of a run is
        // often stale: the versioned write must catch that and the retry must read the store.
        var runs = new List<Guid>();
        for (var n = 0; n < 20; n++)
        {
            runs.Add(await system.StartRunAsync(Relay, new { n }));
        }

        for (var n = 0; n < runs.Count; n++)
        {
            var events = await system.Events.WaitForTerminalAsync(runs[n], TimeSpan.FromSeconds(120), system.Diagnostics);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
            Assert.Equal(LifecycleEventTypes.WorkflowComplete, events[^1].Type);
            Assert.Equal(n, events[^1].Data!.Value.GetProperty("output").GetInt32());
            Assert.Equal(Enumerable.Range(1, Steps).Select(i => $"s{i}"), events.Where(e => e.Type == LifecycleEventTypes.StepComplete).Select(e => e.StepId));
        }

        var conflicts = Regex.Count(system.SecondOrchestrator!.Output, "write conflicted");
        output.WriteLine($"the second orchestrator retried {conflicts} stale or conflicting transitions");
    }
}
