using System.Globalization;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging;
using Quartz;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Schedules;

/// <summary>
/// A schedule's fire: publishes the <see cref="StartWorkflow"/> of the run the fire stands for, as <c>sagawf start</c>
/// would, under the RunId <see cref="ScheduledRunIds"/> derives from the schedule id and the scheduled fire time. A fire
/// sent twice (a job recovered after a crash, a retried send) starts one run: the saga ignores a RunId it has.
/// </summary>
/// <remarks>
/// A failed publish (the broker unreachable) is retried by Quartz with a growing wait rather than given up: the fire would
/// be lost. Recoverable, so a fire cut short by a crash is sent again when the scheduler starts (or by another node).
/// </remarks>
[RetryPolicy(100, "00:00:01", 2.0, MaxDelay = "00:01:00")]
public sealed partial class StartScheduledRunJob(IBus bus, ILogger<StartScheduledRunJob> logger) : IJob
{
    /// <summary>The group of every schedule's job and trigger.</summary>
    public const string Group = "sagawf-schedules";

    /// <summary>The job data key holding the <see cref="ScheduleSpec"/> as JSON.</summary>
    public const string SpecKey = "schedule";

    public static JobKey JobKeyFor(string scheduleId) => new(scheduleId, Group);

    public static TriggerKey TriggerKeyFor(string scheduleId) => new(scheduleId, Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var spec = ReadSpec(context.JobDetail.JobDataMap);
        var fireTime = ScheduledFireTime(context);
        var runId = ScheduledRunIds.For(spec.Id, fireTime);

        await bus.Publish(new StartWorkflow
        {
            RunId = runId,
            WorkflowId = spec.WorkflowId,
            Version = spec.Version,
            Input = spec.Input,
            ScheduleId = spec.Id,
            ScheduledFireTime = fireTime,
        }, cancellationToken);

        LogStarted(logger, spec.Id, fireTime, runId, spec.WorkflowId);
    }

    public static ScheduleSpec ReadSpec(JobDataMap data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var json = data.TryGetValue(SpecKey, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
        return (json is null ? null : JsonSerializer.Deserialize<ScheduleSpec>(json, SpecJson))
            ?? throw new InvalidOperationException($"The schedule job's data has no '{SpecKey}'.");
    }

    public static string WriteSpec(ScheduleSpec spec) => JsonSerializer.Serialize(spec, SpecJson);

    private static readonly JsonSerializerOptions SpecJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>
    /// The time the fire was scheduled for; for a fire recovered after a crash, the original fire's (kept by Quartz in the
    /// recovery trigger's data), so the recovered fire names the same run.
    /// </summary>
    private static DateTimeOffset ScheduledFireTime(IJobExecutionContext context)
    {
        if (context.Recovering
            && context.MergedJobDataMap.TryGetValue(SchedulerConstants.FailedJobOriginalTriggerScheduledFireTime, out var original)
            && ParseInstant(Convert.ToString(original, CultureInfo.InvariantCulture)) is { } recovered)
        {
            return recovered;
        }

        return context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
    }

    /// <summary>An instant written as milliseconds since the epoch, as ticks, or as an ISO 8601 date.</summary>
    internal static DateTimeOffset? ParseInstant(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            // Ticks of any date after the year 4 exceed 10^15; milliseconds since 1970 stay below it until the year 33658.
            return number > 1_000_000_000_000_000L
                ? new DateTimeOffset(number, TimeSpan.Zero)
                : DateTimeOffset.FromUnixTimeMilliseconds(number);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) ? instant : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} fired for {FireTime:O}: started run {RunId} of {WorkflowId}")]
    private static partial void LogStarted(ILogger logger, string scheduleId, DateTimeOffset fireTime, Guid runId, string workflowId);
}
