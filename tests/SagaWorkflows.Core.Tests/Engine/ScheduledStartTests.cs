using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Tests.Engine;

public sealed class ScheduledStartTests
{
    private static readonly WorkflowDefinition Workflow = WorkflowDefinitionParser.Parse("""
        { "id": "w", "version": 1, "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }
        """).Definition!;

    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static JsonElementView StartData(EngineResult result) =>
        new(result.Effects.OfType<PublishLifecycleEvent>().Single(e => e.Event.Type == LifecycleEventTypes.WorkflowStart).Event.Data!.Value);

    [Fact]
    public void A_run_a_schedule_started_names_the_schedule_and_the_fire_time_in_workflow_start()
    {
        var fire = new DateTimeOffset(2026, 12, 2, 10, 0, 2, TimeSpan.FromHours(1));

        var data = StartData(WorkflowEngine.Start(Workflow, Guid.NewGuid(), null, Now, schedule: ("every-2s", fire)));

        Assert.Equal("every-2s", data.Schedule!.Value.GetProperty("id").GetString());
        Assert.Equal(fire, data.Schedule.Value.GetProperty("fireTime").GetDateTimeOffset());
        Assert.Equal(TimeSpan.Zero, data.Schedule.Value.GetProperty("fireTime").GetDateTimeOffset().Offset);
    }

    [Fact]
    public void A_run_started_otherwise_has_no_schedule_in_workflow_start()
    {
        var data = StartData(WorkflowEngine.Start(Workflow, Guid.NewGuid(), JsonValue.Create(1), Now));

        Assert.Null(data.Schedule);
    }

    private sealed record JsonElementView(System.Text.Json.JsonElement Data)
    {
        public System.Text.Json.JsonElement? Schedule => Data.TryGetProperty("schedule", out var s) ? s : null;
    }
}
