using SagaWorkflows.Orchestration.Schedules;

namespace SagaWorkflows.Orchestration.Tests.Schedules;

public sealed class ScheduledRunIdsTests
{
    private static readonly DateTimeOffset Fire = new(2026, 12, 2, 8, 0, 2, TimeSpan.Zero);

    [Fact]
    public void The_same_schedule_and_fire_time_always_name_the_same_run()
    {
        Assert.Equal(ScheduledRunIds.For("nightly", Fire), ScheduledRunIds.For("nightly", Fire));
        // The same instant written with another offset is the same fire.
        Assert.Equal(ScheduledRunIds.For("nightly", Fire), ScheduledRunIds.For("nightly", Fire.ToOffset(TimeSpan.FromHours(2))));
    }

    [Fact]
    public void Another_fire_time_or_another_schedule_names_another_run()
    {
        var id = ScheduledRunIds.For("nightly", Fire);

        Assert.NotEqual(id, ScheduledRunIds.For("nightly", Fire.AddSeconds(2)));
        Assert.NotEqual(id, ScheduledRunIds.For("nightly", Fire.AddMilliseconds(1)));
        Assert.NotEqual(id, ScheduledRunIds.For("hourly", Fire));
        Assert.NotEqual(ScheduledRunIds.For("a.b", Fire), ScheduledRunIds.For("a", Fire));
    }

    [Fact]
    public void A_derived_run_id_is_a_version_8_RFC_9562_uuid_and_never_empty()
    {
        var text = ScheduledRunIds.For("nightly", Fire).ToString("D");

        Assert.Equal('8', text[14]);
        Assert.Contains(text[19], "89ab");
        Assert.NotEqual(Guid.Empty, ScheduledRunIds.For("", DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData("1796198402000")]
    [InlineData("639317952020000000")]
    [InlineData("2026-12-02T08:00:02.0000000+00:00")]
    public void A_recovered_fire_s_original_time_is_read_in_any_form_Quartz_writes_it(string text)
    {
        Assert.Equal(Fire, StartScheduledRunJob.ParseInstant(text));
    }
}
