using System.Text.Json;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// The body of <c>POST /schedules</c> (and of a schedule file <c>sagawf schedule add</c> reads):
/// <c>{ "id", "workflowId", "version"?, "input"?, "cron" | "interval", "timeZone"? }</c>. Checks the shape only (which
/// fields, of which JSON types); the orchestrator checks the cron, interval, time zone, workflow, version and input.
/// </summary>
public static class ScheduleRequest
{
    private static readonly string[] Known = ["id", "workflowId", "version", "input", "cron", "interval", "timeZone"];

    /// <returns>The command, or null with every problem found, each naming its JSON path.</returns>
    public static AddSchedule? TryParse(JsonElement root, out IReadOnlyList<string> problems)
    {
        var found = new List<string>();
        problems = found;
        if (root.ValueKind != JsonValueKind.Object)
        {
            found.Add($"$: the schedule must be a JSON object {{ \"id\", \"workflowId\", \"input\", \"cron\" | \"interval\" }}, not {RequestFields.Describe(root)}.");
            return null;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!Known.Contains(property.Name, StringComparer.Ordinal))
            {
                var near = Known.FirstOrDefault(k => k.Equals(property.Name, StringComparison.OrdinalIgnoreCase));
                found.Add($"$.{property.Name}: is not a schedule field" + (near is null ? $" (the fields are {string.Join(", ", Known)})." : $"; did you mean \"{near}\"?"));
            }
        }

        var id = RequestFields.RequiredString(root, "id", found);
        var workflowId = RequestFields.RequiredString(root, "workflowId", found);
        var cron = RequestFields.OptionalString(root, "cron", found);
        var interval = RequestFields.OptionalString(root, "interval", found);
        var timeZone = RequestFields.OptionalString(root, "timeZone", found);

        var version = RequestFields.Version(root, found);

        if (cron is null && interval is null && !root.TryGetProperty("cron", out _) && !root.TryGetProperty("interval", out _))
        {
            found.Add("$: give either \"cron\" (a Quartz cron expression with seconds, e.g. \"0 0/5 * * * ?\") or \"interval\" (an ISO 8601 duration, e.g. \"PT30S\").");
        }
        else if (cron is not null && interval is not null)
        {
            found.Add("$: give either \"cron\" or \"interval\", not both.");
        }

        var input = RequestFields.Input(root);
        if (found.Count > 0)
        {
            return null;
        }

        return new AddSchedule
        {
            Id = id!,
            WorkflowId = workflowId!,
            Version = version,
            Input = input,
            Cron = cron,
            Interval = interval,
            TimeZone = timeZone,
        };
    }
}
