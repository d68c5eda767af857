namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// Run ids in routes are parsed here rather than by a <c>guid</c> route constraint, so a malformed id
/// gets a 400 naming it instead of an empty 404.
/// </summary>
public static class RunIds
{
    public static bool TryParse(string? value, out Guid runId, out string? problem)
    {
        if (Guid.TryParse(value, out runId))
        {
            // The orchestrator and the bridge treat the empty GUID as "no run": a run under it is never seen again.
            problem = runId == Guid.Empty ? "the all-zero GUID is not a run id: use any other GUID, or leave runId out." : null;
            return problem is null;
        }

        var shown = value is { Length: > 100 } ? value[..100] + "…" : value;
        problem = $"'{shown}' is not a run id: expected a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301.";
        return false;
    }
}
