using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

public class ControlFlowTests
{
    [Fact]
    public void Nested_nodes_get_unique_paths_in_every_event()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "fan", "type": "parallel", "branches": {
                "items": [ { "id": "perItem", "type": "foreach", "items": "input.items", "concurrency": 5,
                             "steps": [ { "id": "charge", "type": "tool", "tool": "pay" } ] } ],
                "poll": [ { "id": "poll", "type": "loop", "until": "iteration >= 2",
                            "steps": [ { "id": "check", "type": "tool", "tool": "status" } ] } ] } } ] }
            """, JsonNode.Parse("""{ "items": [1, 2] }"""));

        run.EchoAllOutstanding();
        run.EchoAllOutstanding();

        Assert.Equal(RunStatus.Completed, run.State.Status);
        var toolPaths = run.Events.Where(e => e.Type == "step-complete" && e.StepType == "tool").Select(e => e.Path).ToList();
        Assert.Equal(toolPaths.Count, toolPaths.Distinct().Count());
        Assert.Contains("fan.perItem[1].charge", toolPaths);
        Assert.Contains("fan.poll#2.check", toolPaths);
        Assert.Equal("""{"items":[1,2],"poll":{"items":[1,2]}}""", run.State.Output!.ToJsonString());
    }
}
