using System.Text.Json;
using MassTransit;
using SagaWorkflows.Contracts;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Orchestration.Schedules;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Scheduling;

/// <summary>
/// A schedule on the real broker, kept by the orchestrator process's durable scheduler (Quartz on SQLite), across a crash
/// of that process: every fire time gets exactly one run, fires missed while it was down included (they are later than
/// planned but within the misfire threshold, so each starts its own run, late), and none twice.
/// </summary>
public sealed class ScheduleRestartTests(WorkflowSystem system) : IClassFixture<WorkflowSystem>
{
    private const string ScheduleId = "every-two-seconds";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private List<(Guid RunId, DateTimeOffset FireTime)> ScheduledStarts() =>
        system.Events.Where(e => e.Type == LifecycleEventTypes.WorkflowStart
                && e.Data is { } data && data.TryGetProperty("schedule", out var s) && s.GetProperty("id").GetString() == ScheduleId)
            .Select(e => (e.RunId, e.Data!.Value.GetProperty("schedule").GetProperty("fireTime").GetDateTimeOffset()))
            .Distinct()
            .ToList();

    [Fact]
    public async Task A_two_second_schedule_starts_exactly_one_run_per_fire_across_an_orchestrator_crash_and_restart()
    {
        var added = await system.Bus.CreateRequestClient<AddSchedule>().GetResponse<ScheduleAdded, ScheduleRefused>(new AddSchedule
        {
            Id = ScheduleId,
            WorkflowId = "hello",
            Input = JsonSerializer.SerializeToElement(new { name = "Ada" }),
            Interval = "PT2S",
        }, timeout: RequestTimeout.After(s: 30));
        Assert.True(added.Message is ScheduleAdded { Created: true }, $"the schedule was not added: {JsonSerializer.Serialize(added.Message)}\n{system.Diagnostics()}");

        await Poll.UntilAsync(() => ScheduledStarts().Count >= 1, Wait, "a fire before the crash");

        system.Orchestrator!.Kill();
        var down = DateTimeOffset.UtcNow;
        // The outage: long enough that fires fall due while no orchestrator runs (a restart alone may be quicker than a fire).
        await Task.Delay(Interval * 2);
        await system.StartOrchestratorAsync();
        var up = DateTimeOffset.UtcNow;

        await Poll.UntilAsync(() => ScheduledStarts().Any(s => s.FireTime > up), Wait, "a fire due after the restart");
        await system.Bus.CreateRequestClient<RemoveSchedule>().GetResponse<ScheduleRemoved, ScheduleRefused>(new RemoveSchedule { Id = ScheduleId });

        var starts = ScheduledStarts().OrderBy(s => s.FireTime).ToList();
        var diagnostics = string.Join(", ", starts.Select(s => $"{s.FireTime:HH:mm:ss.fff}={s.RunId:N}"));

        // One run per fire time, one fire time per run, each under the RunId derived from the two.
        Assert.True(starts.Select(s => s.FireTime).Distinct().Count() == starts.Count, "a fire time started two runs: " + diagnostics);
        Assert.True(starts.Select(s => s.RunId).Distinct().Count() == starts.Count, "a run stands for two fire times: " + diagnostics);
        Assert.All(starts, s => Assert.Equal(ScheduledRunIds.For(ScheduleId, s.FireTime), s.RunId));

        // No fire lost: from the first to the last, every two seconds, the ones due during the outage included.
        var expected = Enumerable.Range(0, (int)((starts[^1].FireTime - starts[0].FireTime) / Interval) + 1)
            .Select(i => starts[0].FireTime + (Interval * i)).ToList();
        Assert.True(expected.SequenceEqual(starts.Select(s => s.FireTime)), "fires are missing: " + diagnostics);
        Assert.Contains(starts, s => s.FireTime > down && s.FireTime < up);
    }
}
