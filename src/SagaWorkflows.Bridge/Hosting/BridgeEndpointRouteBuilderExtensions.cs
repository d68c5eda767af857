using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using SagaWorkflows.Bridge.Api;

namespace SagaWorkflows.Bridge;

public static class BridgeEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the bridge at the root of <paramref name="endpoints"/>: the SSE streams, the run API and the
    /// live page with its assets (served from this assembly, no static-files middleware needed).
    /// </summary>
    /// <returns>The group of every bridge endpoint, for conventions such as authorization.</returns>
    public static RouteGroupBuilder MapSagaWorkflowsBridge(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Every endpoint needs the bridge's access policy (API key, JWT, or loopback when none is configured);
        // the page's static shell opts out in PageEndpoints.
        var group = endpoints.MapGroup("");
        group.RequireAuthorization(Security.BridgeAccessRequirement.PolicyName);
        EventStreamEndpoints.Map(group);
        RunCommandEndpoints.Map(group);
        RunQueryEndpoints.Map(group);
        ScheduleEndpoints.Map(group);
        PageEndpoints.Map(group);
        return group;
    }
}
