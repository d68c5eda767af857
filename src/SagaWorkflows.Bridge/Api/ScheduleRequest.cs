using System.Globalization;
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
            found.Add($"$: the schedule must be a JSON object {{ \"id\", \"workflowId\", \"input\", \"cron\" | \"interval\" }}, not {Describe(root)}.");
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

        var id = RequiredString(root, "id", found);
        var workflowId = RequiredString(root, "workflowId", found);
        var cron = OptionalString(root, "cron", found);
        var interval = OptionalString(root, "interval", found);
        var timeZone = OptionalString(root, "timeZone", found);

        int? version = null;
        if (root.TryGetProperty("version", out var versionElement) && versionElement.ValueKind != JsonValueKind.Null)
        {
            if (versionElement.ValueKind == JsonValueKind.Number && versionElement.TryGetInt32(out var v) && v > 0)
            {
                version = v;
            }
            else
            {
                found.Add($"$.version: must be a positive integer, not {Describe(versionElement)}.");
            }
        }

        if (cron is null && interval is null && !root.TryGetProperty("cron", out _) && !root.TryGetProperty("interval", out _))
        {
            found.Add("$: give either \"cron\" (a Quartz cron expression with seconds, e.g. \"0 0/5 * * * ?\") or \"interval\" (an ISO 8601 duration, e.g. \"PT30S\").");
        }
        else if (cron is not null && interval is not null)
        {
            found.Add("$: give either \"cron\" or \"interval\", not both.");
        }

        JsonElement? input = root.TryGetProperty("input", out var inputElement) ? inputElement.Clone() : null;
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

    private static string? RequiredString(JsonElement root, string name, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"$.{name}: is required.");
            return null;
        }

        return OptionalString(root, name, problems);
    }

    private static string? OptionalString(JsonElement root, string name, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(element.GetString()))
        {
            return element.GetString();
        }

        problems.Add($"$.{name}: must be a non-empty string, not {Describe(element)}.");
        return null;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "the string \"" + Shorten(element.GetString()!) + "\"",
        JsonValueKind.Number => "the number " + element.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => element.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
