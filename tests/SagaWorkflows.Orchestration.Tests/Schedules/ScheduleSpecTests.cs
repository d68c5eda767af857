using System.Text.Json;
using Quartz;
using SagaWorkflows.Contracts;
using SagaWorkflows.Orchestration.Schedules;

namespace SagaWorkflows.Orchestration.Tests.Schedules;

public sealed class ScheduleSpecTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private static AddSchedule Request(string? cron = null, string? interval = null, string? timeZone = null, string id = "nightly") => new()
    {
        Id = id,
        WorkflowId = "hello",
        Cron = cron,
        Interval = interval,
        TimeZone = timeZone,
        Input = JsonSerializer.SerializeToElement(new { name = "Ada" }),
    };

    private static IReadOnlyList<string> Problems(AddSchedule request)
    {
        Assert.Null(ScheduleSpec.TryCreate(request, ScheduleMisfirePolicy.FireOnceNow, Now, out var problems));
        return problems;
    }

    [Theory]
    [InlineData("PT2S", 2, IntervalUnit.Second)]
    [InlineData("PT90S", 90, IntervalUnit.Second)]
    [InlineData("PT5M", 5, IntervalUnit.Minute)]
    [InlineData("PT90M", 90, IntervalUnit.Minute)]
    [InlineData("PT2H", 2, IntervalUnit.Hour)]
    [InlineData("P1D", 1, IntervalUnit.Day)]
    [InlineData("P1DT12H", 36, IntervalUnit.Hour)]
    [InlineData("pt30s", 30, IntervalUnit.Second)]
    public void An_ISO_8601_interval_becomes_a_count_of_its_largest_whole_unit(string interval, int count, IntervalUnit unit)
    {
        var spec = ScheduleSpec.TryCreate(Request(interval: interval), ScheduleMisfirePolicy.FireOnceNow, Now, out var problems);

        Assert.Empty(problems);
        Assert.Equal((count, unit), ScheduleSpec.ParseInterval(spec!.Interval!, null));
    }

    [Theory]
    [InlineData("2s", "is not an ISO 8601 duration")]
    [InlineData("PT0.5S", "shorter than the shortest interval")]
    [InlineData("PT1.5S", "not a whole number of seconds")]
    [InlineData("P1M", "years or months")]
    [InlineData("P1Y", "years or months")]
    [InlineData("PT0S", "shorter than the shortest interval")]
    public void A_bad_interval_is_refused_at_its_path(string interval, string expected)
    {
        var problem = Assert.Single(Problems(Request(interval: interval)));

        Assert.StartsWith("$.interval: ", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_Quartz_cron_expression_with_seconds_is_accepted_and_kept_as_given()
    {
        var spec = ScheduleSpec.TryCreate(Request(cron: " 0 0/5 * * * ? "), ScheduleMisfirePolicy.Skip, Now, out var problems);

        Assert.Empty(problems);
        Assert.Equal("0 0/5 * * * ?", spec!.Cron);
        Assert.Null(spec.Interval);
        Assert.Equal(ScheduleMisfirePolicy.Skip, spec.MisfirePolicy);
    }

    [Theory]
    [InlineData("not a cron")]
    [InlineData("0 61 * * * ?")]
    public void An_invalid_cron_is_refused_at_its_path_with_the_parser_s_reason(string cron)
    {
        var problem = Assert.Single(Problems(Request(cron: cron)));

        Assert.StartsWith($"$.cron: '{cron}' is not a Quartz cron expression", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cron_that_never_fires_again_is_refused()
    {
        var problem = Assert.Single(Problems(Request(cron: "0 0 0 1 1 ? 2020")));

        Assert.Contains("never fires after", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Cron_and_interval_together_or_neither_are_refused()
    {
        Assert.Contains("not both", Assert.Single(Problems(Request(cron: "0 * * * * ?", interval: "PT1M"))), StringComparison.Ordinal);
        Assert.Contains("give either \"cron\"", Assert.Single(Problems(Request())), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_time_zone_is_refused_and_an_IANA_one_is_used_for_the_cron()
    {
        var problem = Assert.Single(Problems(Request(cron: "0 0 9 * * ?", timeZone: "Mars/Olympus")));
        Assert.StartsWith("$.timeZone: 'Mars/Olympus'", problem, StringComparison.Ordinal);

        var spec = ScheduleSpec.TryCreate(Request(cron: "0 0 9 * * ?", timeZone: "Europe/Paris"), ScheduleMisfirePolicy.FireOnceNow, Now, out _);
        var trigger = TriggerBuilder.Create().WithSchedule(spec!.ToScheduleBuilder()).StartAt(Now).Build();

        // 09:00 in Paris in December (UTC+1) is 08:00 UTC: the next fire after 08:00 UTC on Dec 2 is the 3rd.
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero), trigger.GetFireTimeAfter(Now)!.Value.ToUniversalTime());
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("CET")]
    [InlineData(" Europe/Berlin ")]
    public void An_IANA_time_zone_id_is_taken(string id)
    {
        var spec = ScheduleSpec.TryCreate(Request(cron: "0 0 9 * * ?", timeZone: id), ScheduleMisfirePolicy.FireOnceNow, Now, out var problems);

        Assert.Empty(problems);
        var trigger = TriggerBuilder.Create().WithSchedule(spec!.ToScheduleBuilder()).StartAt(Now).Build();
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero), trigger.GetFireTimeAfter(Now)!.Value.ToUniversalTime());
    }

    [Theory]
    [InlineData("W. Europe Standard Time", "Europe/Berlin")]
    [InlineData("Romance Standard Time", "Europe/Paris")]
    [InlineData("Eastern Standard Time", "America/New_York")]
    public void A_Windows_time_zone_id_is_refused_off_Windows_naming_the_IANA_form(string windowsId, string ianaId)
    {
        var spec = ScheduleSpec.TryCreate(Request(cron: "0 0 9 * * ?", timeZone: windowsId), ScheduleMisfirePolicy.FireOnceNow, Now, out var problems);

        if (OperatingSystem.IsWindows())
        {
            // Windows ids are the host's own there.
            Assert.Empty(problems);
            Assert.NotNull(spec);
            return;
        }

        // The hosts run with InvariantGlobalization: without ICU, .NET maps no Windows id to an IANA one.
        Assert.Null(spec);
        Assert.False(TimeZoneInfo.TryConvertWindowsIdToIanaId(windowsId, out _));
        Assert.True(TimeZoneInfo.TryFindSystemTimeZoneById(ianaId, out _));
        Assert.Equal(
            $"$.timeZone: '{windowsId}' is not a time zone this orchestrator knows. Give an IANA id such as \"Europe/Paris\" or \"UTC\" "
            + "(Windows ids such as \"W. Europe Standard Time\" are not mapped: the orchestrator runs without ICU).",
            Assert.Single(problems));
    }

    [Fact]
    public void Every_problem_of_one_request_is_reported_at_once()
    {
        var problems = Problems(new AddSchedule { Id = "no spaces allowed", WorkflowId = "", Version = 0, Interval = "soon", TimeZone = "Nowhere" });

        Assert.Equal(["$.id", "$.workflowId", "$.version", "$.timeZone", "$.interval"], problems.Select(p => p[..p.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Theory]
    [InlineData(ScheduleMisfirePolicy.FireOnceNow, (int)CronTriggerMisfireInstruction.FireAndProceed, (int)CalendarIntervalTriggerMisfireInstruction.FireAndProceed)]
    [InlineData(ScheduleMisfirePolicy.Skip, (int)CronTriggerMisfireInstruction.DoNothing, (int)CalendarIntervalTriggerMisfireInstruction.DoNothing)]
    [InlineData(ScheduleMisfirePolicy.FireEach, (int)CronTriggerMisfireInstruction.IgnoreMisfires, (int)CalendarIntervalTriggerMisfireInstruction.IgnoreMisfires)]
    public void The_misfire_policy_becomes_the_trigger_s_misfire_instruction(ScheduleMisfirePolicy policy, int cronInstruction, int intervalInstruction)
    {
        var cron = ScheduleSpec.TryCreate(Request(cron: "0 * * * * ?"), policy, Now, out _)!;
        var interval = ScheduleSpec.TryCreate(Request(interval: "PT2S"), policy, Now, out _)!;

        Assert.Equal(cronInstruction, TriggerBuilder.Create().WithSchedule(cron.ToScheduleBuilder()).Build().MisfireInstructionCode);
        Assert.Equal(intervalInstruction, TriggerBuilder.Create().WithSchedule(interval.ToScheduleBuilder()).Build().MisfireInstructionCode);
    }

    [Fact]
    public void The_same_request_is_recognised_whatever_the_input_s_formatting_and_another_one_is_not()
    {
        var a = ScheduleSpec.TryCreate(Request(interval: "PT2S") with { Input = JsonDocument.Parse("""{ "name": "Ada", "n": 1 }""").RootElement }, ScheduleMisfirePolicy.FireOnceNow, Now, out _)!;
        var b = ScheduleSpec.TryCreate(Request(interval: "PT2S") with { Input = JsonDocument.Parse("""{"name":"Ada","n":1}""").RootElement }, ScheduleMisfirePolicy.Skip, Now, out _)!;
        var c = ScheduleSpec.TryCreate(Request(interval: "PT3S") with { Input = b.Input }, ScheduleMisfirePolicy.FireOnceNow, Now, out _)!;

        Assert.True(a.SameRequestAs(b));
        Assert.False(a.SameRequestAs(c));
    }

    [Fact]
    public void Interval_fires_start_on_a_whole_second()
    {
        var start = ScheduleSpec.FirstStart(new DateTimeOffset(2026, 12, 2, 8, 0, 0, 400, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 12, 2, 8, 0, 1, TimeSpan.Zero), start);
    }
}
