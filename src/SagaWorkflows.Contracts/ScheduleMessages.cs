using System.Text.Json;

namespace SagaWorkflows.Contracts;

/// <summary>
/// Asks the orchestrator to add a schedule that starts runs of <see cref="WorkflowId"/> on a <see cref="Cron"/> expression or
/// every <see cref="Interval"/>. A request (answered with <see cref="ScheduleAdded"/> or <see cref="ScheduleRefused"/>):
/// the orchestrator holds the definitions, so it checks the workflow, version and input before anything is stored.
/// Adding the same schedule again (same id, same fields) changes nothing; the same id with other fields is refused.
/// </summary>
public sealed record AddSchedule
{
    /// <summary>Names the schedule: letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, up to 128 characters.</summary>
    public string Id { get; init; } = "";

    public string WorkflowId { get; init; } = "";

    /// <summary>The definition version each fire starts; null: the newest the orchestrator has when it fires.</summary>
    public int? Version { get; init; }

    /// <summary>The input of every run the schedule starts.</summary>
    public JsonElement? Input { get; init; }

    /// <summary>A Quartz cron expression with seconds, e.g. <c>0 0/5 * * * ?</c>. Exactly one of <see cref="Cron"/> and <see cref="Interval"/>.</summary>
    public string? Cron { get; init; }

    /// <summary>An ISO 8601 duration between fires, e.g. <c>PT30S</c>, <c>PT1H</c>, <c>P1D</c>.</summary>
    public string? Interval { get; init; }

    /// <summary>An IANA (<c>Europe/Paris</c>) or Windows time zone id the cron expression (or a day interval) is read in; default UTC.</summary>
    public string? TimeZone { get; init; }
}

/// <summary>Asks the orchestrator to delete a schedule: answered with <see cref="ScheduleRemoved"/> or <see cref="ScheduleRefused"/> (unknown id).</summary>
public sealed record RemoveSchedule
{
    public string Id { get; init; } = "";
}

/// <summary>Asks the orchestrator for every schedule: answered with <see cref="ScheduleList"/>.</summary>
public sealed record ListSchedules
{
    /// <summary>Only this schedule, when set.</summary>
    public string? Id { get; init; }
}

/// <summary>The schedule is stored. <see cref="Created"/> is false when an identical one already was (a repeated add).</summary>
public sealed record ScheduleAdded
{
    public WorkflowScheduleInfo Schedule { get; init; } = new();
    public bool Created { get; init; }
}

public sealed record ScheduleRemoved
{
    public string Id { get; init; } = "";
}

public sealed record ScheduleList
{
    public IReadOnlyList<WorkflowScheduleInfo> Schedules { get; init; } = [];
}

/// <summary>An add or remove the orchestrator refused; nothing was changed.</summary>
public sealed record ScheduleRefused
{
    public string Id { get; init; } = "";

    /// <summary>Why, as one of <see cref="ScheduleRefusalReasons"/>.</summary>
    public string Reason { get; init; } = ScheduleRefusalReasons.Invalid;

    /// <summary>Every problem, each naming its JSON path in the request (<c>$.cron: ...</c>).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}

public static class ScheduleRefusalReasons
{
    /// <summary>A field is missing or wrong (cron, interval, time zone, workflow, version, input).</summary>
    public const string Invalid = "invalid";

    /// <summary>A schedule with this id exists with other fields.</summary>
    public const string Conflict = "conflict";

    /// <summary>No schedule has this id.</summary>
    public const string NotFound = "not-found";
}

/// <summary>A stored schedule, as the orchestrator reports it.</summary>
public sealed record WorkflowScheduleInfo
{
    // AddSchedule's fields repeated rather than inherited: a message's base types join MassTransit's publish topology.
    public string Id { get; init; } = "";
    public string WorkflowId { get; init; } = "";
    public int? Version { get; init; }
    public JsonElement? Input { get; init; }
    public string? Cron { get; init; }
    public string? Interval { get; init; }
    public string? TimeZone { get; init; }

    /// <summary>What a fire missed while no orchestrator ran becomes: <c>FireOnceNow</c>, <c>Skip</c> or <c>FireEach</c>.</summary>
    public string MisfirePolicy { get; init; } = "";

    public DateTimeOffset? NextFireTime { get; init; }
    public DateTimeOffset? PreviousFireTime { get; init; }
}
