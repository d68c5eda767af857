using System.Text.Json;
using MassTransit;
using SagaWorkflows.Contracts;
using SagaWorkflows.Orchestration.Schedules;
using SagaWorkflows.Orchestration.Tests.Embedded;
using SagaWorkflows.Testing;

namespace SagaWorkflows.Orchestration.Tests.Schedules;

/// <summary>The orchestrator's schedule requests, end to end on the in-memory transport (Quartz with its in-memory store).</summary>
public sealed class ScheduleRequestsTests : IAsyncLifetime
{
    private const string Greet = """
    { "id": "greet", "version": 1,
      "inputSchema": { "type": "object", "required": ["name"] },
      "steps": [ { "id": "say", "type": "tool", "tool": "echo", "input": { "hello": "${ input.name }" } } ],
      "output": "${ steps.say.hello }" }
    """;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private EmbeddedSystem _system = null!;

    public async Task InitializeAsync() =>
        _system = await EmbeddedSystem.StartAsync(definitions: registry =>
        {
            registry.Add(Greet);
            registry.Add(Greet.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal));
        });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    private static AddSchedule Every(string id, string interval = "PT1S", object? input = null, int? version = null) => new()
    {
        Id = id,
        WorkflowId = "greet",
        Version = version,
        Interval = interval,
        Input = JsonSerializer.SerializeToElement(input ?? new { name = "Ada" }),
    };

    private async Task<object> AddAsync(AddSchedule request)
    {
        var response = await _system.Bus.CreateRequestClient<AddSchedule>().GetResponse<ScheduleAdded, ScheduleRefused>(request);
        return response.Message;
    }

    private async Task<object> RemoveAsync(string id)
    {
        var response = await _system.Bus.CreateRequestClient<RemoveSchedule>().GetResponse<ScheduleRemoved, ScheduleRefused>(new RemoveSchedule { Id = id });
        return response.Message;
    }

    private async Task<IReadOnlyList<WorkflowScheduleInfo>> ListAsync() =>
        (await _system.Bus.CreateRequestClient<ListSchedules>().GetResponse<ScheduleList>(new ListSchedules())).Message.Schedules;

    [Fact]
    public async Task Each_fire_starts_a_run_under_the_derived_run_id_that_names_the_schedule_in_workflow_start()
    {
        var added = Assert.IsType<ScheduleAdded>(await AddAsync(Every("every-second")));
        Assert.True(added.Created);
        Assert.NotNull(added.Schedule.NextFireTime);

        var starts = await Poll.UntilAsync(
            () => _system.SeenRuns.Select(_system.EventsOf).Select(e => e.FirstOrDefault(x => x.Type == LifecycleEventTypes.WorkflowStart)).OfType<WorkflowLifecycleEvent>().ToList(),
            s => s.Count >= 2, Wait, "two runs started by the schedule");
        Assert.IsType<ScheduleRemoved>(await RemoveAsync("every-second"));

        foreach (var start in starts)
        {
            var schedule = start.Data!.Value.GetProperty("schedule");
            Assert.Equal("every-second", schedule.GetProperty("id").GetString());
            var fireTime = schedule.GetProperty("fireTime").GetDateTimeOffset();
            Assert.Equal(ScheduledRunIds.For("every-second", fireTime), start.RunId);
            Assert.Equal(0, fireTime.Millisecond);
            Assert.Equal("Ada", start.Data!.Value.GetProperty("input").GetProperty("name").GetString());
            var end = await _system.WaitForEndAsync(start.RunId, Wait);
            Assert.Equal(LifecycleEventTypes.WorkflowComplete, end[^1].Type);
        }

        Assert.Equal(starts.Count, starts.Select(s => s.Data!.Value.GetProperty("schedule").GetProperty("fireTime").GetDateTimeOffset()).Distinct().Count());
    }

    [Fact]
    public async Task A_repeated_add_is_idempotent_and_the_same_id_with_other_fields_is_a_conflict()
    {
        Assert.True(Assert.IsType<ScheduleAdded>(await AddAsync(Every("twice", "PT1H"))).Created);
        Assert.False(Assert.IsType<ScheduleAdded>(await AddAsync(Every("twice", "PT1H"))).Created);

        var conflict = Assert.IsType<ScheduleRefused>(await AddAsync(Every("twice", "PT2H")));

        Assert.Equal(ScheduleRefusalReasons.Conflict, conflict.Reason);
        Assert.StartsWith("$.id: schedule 'twice' already exists", Assert.Single(conflict.Problems), StringComparison.Ordinal);
        var listed = Assert.Single(await ListAsync(), s => s.Id == "twice");
        Assert.Equal("PT1H", listed.Interval);
        Assert.Equal(nameof(ScheduleMisfirePolicy.FireOnceNow), listed.MisfirePolicy);
    }

    [Fact]
    public async Task An_unknown_workflow_version_or_an_input_the_schema_refuses_is_refused_and_nothing_is_stored()
    {
        var unknown = Assert.IsType<ScheduleRefused>(await AddAsync(Every("bad-1") with { WorkflowId = "nope" }));
        Assert.Equal("$.workflowId: the orchestrator knows no workflow 'nope' (it knows greet).", Assert.Single(unknown.Problems));

        var version = Assert.IsType<ScheduleRefused>(await AddAsync(Every("bad-2", version: 7)));
        Assert.Equal("$.version: workflow 'greet' has no version 7 (the orchestrator has 1, 2).", Assert.Single(version.Problems));

        var input = Assert.IsType<ScheduleRefused>(await AddAsync(Every("bad-3", input: new { other = 1 })));
        Assert.StartsWith("$.input", Assert.Single(input.Problems), StringComparison.Ordinal);
        Assert.Contains("name", input.Problems[0], StringComparison.Ordinal);

        var cron = Assert.IsType<ScheduleRefused>(await AddAsync(Every("bad-4") with { Interval = null, Cron = "* * *" }));
        Assert.Equal(ScheduleRefusalReasons.Invalid, cron.Reason);
        Assert.StartsWith("$.cron: ", Assert.Single(cron.Problems), StringComparison.Ordinal);

        Assert.DoesNotContain(await ListAsync(), s => s.Id.StartsWith("bad-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Removing_an_unknown_schedule_is_refused_as_not_found()
    {
        var refused = Assert.IsType<ScheduleRefused>(await RemoveAsync("never-added"));

        Assert.Equal(ScheduleRefusalReasons.NotFound, refused.Reason);
    }
}
