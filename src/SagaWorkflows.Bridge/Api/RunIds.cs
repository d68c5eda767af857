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
            problem = null;
            return true;
        }

        problem = $"'{value}' is not a run id: expected a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301.";
        return false;
    }
}
