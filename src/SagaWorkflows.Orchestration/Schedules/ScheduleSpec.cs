using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using Quartz;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Schedules;

/// <summary>
/// A schedule as it is stored: what each fire starts and when fires happen. <see cref="TryCreate"/> checks an
/// <see cref="AddSchedule"/> on its own (id, cron or interval, time zone), each problem with its JSON path; the workflow,
/// version and input are checked against the definitions by <see cref="WorkflowSchedules"/>.
/// </summary>
public sealed partial record ScheduleSpec
{
    public const int MaxIdLength = 128;

    /// <summary>The shortest interval: Quartz fires in whole seconds.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    // AddSchedule's fields, apart from the contracts on purpose: this is the stored form (job data JSON), which must stay readable when the wire form changes.
    public string Id { get; init; } = "";
    public string WorkflowId { get; init; } = "";
    public int? Version { get; init; }
    public JsonElement? Input { get; init; }
    public string? Cron { get; init; }
    public string? Interval { get; init; }
    public string? TimeZone { get; init; }
    public ScheduleMisfirePolicy MisfirePolicy { get; init; }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex IdPattern();

    /// <returns>The schedule, or null with every problem found in <paramref name="problems"/>.</returns>
    public static ScheduleSpec? TryCreate(AddSchedule request, ScheduleMisfirePolicy misfirePolicy, DateTimeOffset now, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(request);
        var found = new List<string>();

        if (string.IsNullOrWhiteSpace(request.Id))
        {
            found.Add("$.id: is required: name the schedule (letters, digits, '.', '_' and '-').");
        }
        else if (request.Id.Length > MaxIdLength)
        {
            found.Add($"$.id: is {request.Id.Length} characters long; the limit is {MaxIdLength}.");
        }
        else if (!IdPattern().IsMatch(request.Id))
        {
            found.Add($"$.id: '{Shorten(request.Id)}' may hold only letters, digits, '.', '_' and '-', and must start with a letter or digit.");
        }

        if (string.IsNullOrWhiteSpace(request.WorkflowId))
        {
            found.Add("$.workflowId: is required: the id of a workflow the orchestrator knows.");
        }

        if (request.Version is <= 0)
        {
            found.Add($"$.version: must be a positive integer, not {request.Version}.");
        }

        var zone = ResolveTimeZone(request.TimeZone, found);
        var hasCron = !string.IsNullOrWhiteSpace(request.Cron);
        var hasInterval = !string.IsNullOrWhiteSpace(request.Interval);
        string? interval = null;
        switch (hasCron, hasInterval)
        {
            case (false, false):
                found.Add("$: give either \"cron\" (a Quartz cron expression with seconds, e.g. \"0 0/5 * * * ?\") or \"interval\" (an ISO 8601 duration, e.g. \"PT30S\").");
                break;
            case (true, true):
                found.Add("$: give either \"cron\" or \"interval\", not both.");
                break;
            case (true, false):
                CheckCron(request.Cron!.Trim(), zone, now, found);
                break;
            default:
                interval = request.Interval!.Trim().ToUpperInvariant();
                ParseInterval(interval, found);
                break;
        }

        problems = found;
        if (found.Count > 0)
        {
            return null;
        }

        return new ScheduleSpec
        {
            Id = request.Id,
            WorkflowId = request.WorkflowId.Trim(),
            Version = request.Version,
            Input = request.Input is { ValueKind: not JsonValueKind.Undefined } input ? input.Clone() : null,
            Cron = hasCron ? request.Cron!.Trim() : null,
            Interval = interval,
            TimeZone = string.IsNullOrWhiteSpace(request.TimeZone) ? null : request.TimeZone.Trim(),
            MisfirePolicy = misfirePolicy,
        };
    }

    /// <summary>Whether <paramref name="other"/> asks for the same schedule (an add repeated), ignoring the misfire policy a setting chose.</summary>
    public bool SameRequestAs(ScheduleSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Id == other.Id && WorkflowId == other.WorkflowId && Version == other.Version && Cron == other.Cron
            && Interval == other.Interval && TimeZone == other.TimeZone && SameInput(Input, other.Input);
    }

    private static bool SameInput(JsonElement? a, JsonElement? b) =>
        (a, b) switch
        {
            (null, null) => true,
            ({ } x, { } y) => JsonElement.DeepEquals(x, y),
            ({ ValueKind: JsonValueKind.Null }, null) or (null, { ValueKind: JsonValueKind.Null }) => true,
            _ => false,
        };

    /// <summary>The Quartz schedule: a cron trigger, or a calendar interval (wall-clock days keep their time across DST).</summary>
    public IScheduleBuilder ToScheduleBuilder()
    {
        var zone = ResolveTimeZone(TimeZone, null) ?? TimeZoneInfo.Utc;
        if (Cron is not null)
        {
            var cron = CronScheduleBuilder.Create(Cron).InTimeZone(zone);
            return MisfirePolicy switch
            {
                ScheduleMisfirePolicy.Skip => cron.WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing),
                ScheduleMisfirePolicy.FireEach => cron.WithMisfireInstruction(CronTriggerMisfireInstruction.IgnoreMisfires),
                _ => cron.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed),
            };
        }

        var (count, unit) = ParseInterval(Interval!, null)!.Value;
        var calendar = CalendarIntervalScheduleBuilder.Create().WithInterval(count, unit).InTimeZone(zone).PreserveHourOfDayAcrossDaylightSavings(unit == IntervalUnit.Day);
        return MisfirePolicy switch
        {
            ScheduleMisfirePolicy.Skip => calendar.WithMisfireInstruction(CalendarIntervalTriggerMisfireInstruction.DoNothing),
            ScheduleMisfirePolicy.FireEach => calendar.WithMisfireInstruction(CalendarIntervalTriggerMisfireInstruction.IgnoreMisfires),
            _ => calendar.WithMisfireInstruction(CalendarIntervalTriggerMisfireInstruction.FireAndProceed),
        };
    }

    /// <summary>
    /// When the first fire of an interval schedule may be: the next whole second, so every fire time is a whole second
    /// (the RunIds derived from them read naturally, and a restarted scheduler recomputes the same times).
    /// </summary>
    public static DateTimeOffset FirstStart(DateTimeOffset now) =>
        new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1);

    /// <returns>The interval as a count of the largest whole unit it is made of; null (with a problem) when it is not one.</returns>
    public static (int Count, IntervalUnit Unit)? ParseInterval(string text, List<string>? problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        var datePart = text.Split('T')[0];
        if (text.StartsWith('P') && (datePart.Contains('Y', StringComparison.Ordinal) || datePart.Contains('M', StringComparison.Ordinal)))
        {
            problems?.Add($"$.interval: '{Shorten(text)}' counts years or months, which have no fixed length; use a cron expression (e.g. \"0 0 9 1 * ?\" for 09:00 on the 1st of each month).");
            return null;
        }

        TimeSpan span;
        try
        {
            span = text.StartsWith('P') ? XmlConvert.ToTimeSpan(text) : throw new FormatException();
        }
        catch (FormatException)
        {
            problems?.Add($"$.interval: '{Shorten(text)}' is not an ISO 8601 duration such as PT30S, PT5M, PT1H or P1D.");
            return null;
        }

        if (span < MinInterval)
        {
            problems?.Add($"$.interval: '{text}' is shorter than the shortest interval, PT1S.");
            return null;
        }

        if (span.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            problems?.Add($"$.interval: '{text}' is not a whole number of seconds.");
            return null;
        }

        (long count, IntervalUnit unit) = span switch
        {
            _ when span.Ticks % TimeSpan.TicksPerDay == 0 => (span.Ticks / TimeSpan.TicksPerDay, IntervalUnit.Day),
            _ when span.Ticks % TimeSpan.TicksPerHour == 0 => (span.Ticks / TimeSpan.TicksPerHour, IntervalUnit.Hour),
            _ when span.Ticks % TimeSpan.TicksPerMinute == 0 => (span.Ticks / TimeSpan.TicksPerMinute, IntervalUnit.Minute),
            _ => (span.Ticks / TimeSpan.TicksPerSecond, IntervalUnit.Second),
        };
        if (count > int.MaxValue)
        {
            problems?.Add($"$.interval: '{text}' is too long.");
            return null;
        }

        return ((int)count, unit);
    }

    private static void CheckCron(string text, TimeZoneInfo? zone, DateTimeOffset now, List<string> problems)
    {
        CronExpression expression;
        try
        {
            expression = new CronExpression(text, zone ?? TimeZoneInfo.Utc);
        }
        catch (FormatException ex)
        {
            problems.Add($"$.cron: '{Shorten(text)}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year], e.g. \"0 0/5 * * * ?\"): {ex.Message}");
            return;
        }

        if (expression.GetNextValidTimeAfter(now) is null)
        {
            problems.Add($"$.cron: '{Shorten(text)}' never fires after {now:u}.");
        }
    }

    /// <summary>
    /// An id the runtime resolves: an IANA id (<c>Europe/Paris</c>) anywhere; a Windows id only on Windows or where ICU maps
    /// it, which the SagaWorkflows hosts (built with <c>InvariantGlobalization</c>) do not load. Null (no zone) means UTC.
    /// </summary>
    private static TimeZoneInfo? ResolveTimeZone(string? id, List<string>? problems)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return TimeZoneInfo.Utc;
        }

        if (TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone))
        {
            return zone;
        }

        var withoutIcu = !OperatingSystem.IsWindows() && AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant;
        problems?.Add($"$.timeZone: '{Shorten(id)}' is not a time zone this orchestrator knows. Give an IANA id such as \"Europe/Paris\" or \"UTC\""
            + (withoutIcu ? " (Windows ids such as \"W. Europe Standard Time\" are not mapped: the orchestrator runs without ICU)." : "."));
        return null;
    }

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";

    public WorkflowScheduleInfo ToInfo(DateTimeOffset? next, DateTimeOffset? previous) => new()
    {
        Id = Id,
        WorkflowId = WorkflowId,
        Version = Version,
        Input = Input,
        Cron = Cron,
        Interval = Interval,
        TimeZone = TimeZone,
        MisfirePolicy = MisfirePolicy.ToString(),
        NextFireTime = next,
        PreviousFireTime = previous,
    };
}
