using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SagaWorkflows.Bridge.Security;

/// <summary>
/// ASP.NET Core authentication for the bridge's API keys (<c>SagaWorkflows:Bridge:ApiKeys</c>), sent as
/// <c>Authorization: Bearer &lt;key&gt;</c>. A browser's <c>EventSource</c> cannot send headers, so event
/// streams (GET <c>…/events</c>) also take the key as <c>?access_token=</c>. Keys are compared in constant
/// time; the identity is the key's position (<c>api-key-0</c>), never the key.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<BridgeOptions> bridge) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "SagaWorkflowsApiKey";
    public const string QueryParameter = "access_token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedToken(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var keys = bridge.Value.ApiKeys;
        var match = -1;
        for (var i = 0; i < keys.Count; i++)
        {
            // Every key is compared, each in constant time, so timing says nothing about which one nearly matched.
            if (keys[i].Length > 0 && CryptographicOperations.FixedTimeEquals(presentedHash, SHA256.HashData(Encoding.UTF8.GetBytes(keys[i]))))
            {
                match = i;
            }
        }

        if (match < 0)
        {
            // Not ours: a JWT handler, when configured, may still accept it.
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, $"api-key-{match}")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(
            title: "Authentication required",
            detail: "Send an API key of this bridge as 'Authorization: Bearer <key>' (event streams also take '?access_token=<key>').",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    /// <summary>The bearer token of a request: its Authorization header, or for an event stream its access_token.</summary>
    internal static string? PresentedToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            return token.Length > 0 ? token : null;
        }

        return IsEventStream(request) && request.Query[QueryParameter].ToString() is { Length: > 0 } queryToken ? queryToken : null;
    }

    internal static bool IsEventStream(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value?.EndsWith("/events", StringComparison.Ordinal) == true;
}
