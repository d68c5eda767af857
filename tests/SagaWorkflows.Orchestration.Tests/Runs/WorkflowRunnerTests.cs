using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Orchestration.Definitions;
using SagaWorkflows.Orchestration.Runs;

namespace SagaWorkflows.Orchestration.Tests.Runs;

public sealed class WorkflowRunnerTests
{
    private const string Definition = """
        { "id": "two", "version": 1, "steps": [
            { "id": "a", "type": "tool", "tool": "echo" },
            { "id": "b", "type": "tool", "tool": "echo" } ] }
        """;

    private readonly WorkflowRunner _runner = new(new DefinitionCache(), new WorkflowDefinitionRegistry(NullLogger<WorkflowDefinitionRegistry>.Instance),
        TimeProvider.System, NullLogger<WorkflowRunner>.Instance);

    [Fact]
    public void The_state_it_produced_is_reused_only_while_the_row_holds_the_json_it_was_written_as()
    {
        var run = new WorkflowRun { CorrelationId = NewId.NextGuid() };
        _runner.Start(run, new StartWorkflow { RunId = run.CorrelationId, Definition = Definition, Input = JsonSerializer.SerializeToElement(new { x = 1 }) });
        var first = Dispatched(run);

        // Unchanged since this process wrote it: the object it produced is the state, no parse needed.
        Assert.Same(run.DecodedState, WorkflowRunner.DecodeState(run));

        // The row as read back from the store: equal text, another string. Whatever this process still holds
        // for it must not be used.
        run.StateJson = new string(run.StateJson.AsSpan());
        Assert.NotSame(run.DecodedState, WorkflowRunner.DecodeState(run));
        run.DecodedState!.Sequence = 1000;
        run.PendingMessages.Clear();
        _runner.Handle(run, new StepSucceeded(first.ExecutionId, 1, null));
        var second = Dispatched(run);
        var sequences = Events(run).Select(e => e.Sequence).ToList();
        Assert.Equal("b", second.StepId);
        Assert.True(sequences.All(s => s < 1000), $"sequences {string.Join(", ", sequences)} continued from a state the row does not hold");
        Assert.Equal(Enumerable.Range((int)sequences[0], sequences.Count).Select(i => (long)i), sequences);
    }

    private static ExecuteTool Dispatched(WorkflowRun run) => Assert.Single(run.PendingMessages.Select(m => m.Message).OfType<ExecuteTool>());

    private static IEnumerable<WorkflowLifecycleEvent> Events(WorkflowRun run) => run.PendingMessages.Select(m => m.Message).OfType<WorkflowLifecycleEvent>();
}
