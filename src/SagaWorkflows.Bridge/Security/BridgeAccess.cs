using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using SagaWorkflows.Bridge.Api;

namespace SagaWorkflows.Bridge.Security;

/// <summary>Who may use the bridge's API and streams.</summary>
internal sealed class BridgeAccessRequirement : IAuthorizationRequirement
{
    public const string PolicyName = "SagaWorkflowsBridge";
}

/// <summary>
/// An authenticated caller always; a browser asking for the page shell (it holds no data, and asks for the key)
/// always; anyone else only when no authentication is configured and either the request came over loopback or
/// anonymous access was explicitly allowed.
/// </summary>
internal sealed class BridgeAccessHandler(IOptions<BridgeOptions> options) : AuthorizationHandler<BridgeAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, BridgeAccessRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        var o = options.Value;
        if (context.User.Identity?.IsAuthenticated == true
            || (http is not null && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) && PageEndpoints.WantsHtml(http.Request))
            || (!BridgeSecurity.IsConfigured(o) && (o.AllowAnonymous || (http is not null && IsLoopback(http.Connection)))))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    private static bool IsLoopback(ConnectionInfo connection) => connection.LocalIpAddress is { } local
        ? IPAddress.IsLoopback(local) && connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
        // An in-process test server has no sockets at all.
        : connection.RemoteIpAddress is null;
}
