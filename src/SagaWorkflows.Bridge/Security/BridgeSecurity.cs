using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace SagaWorkflows.Bridge.Security;

/// <summary>The bridge's authentication and authorization, with ASP.NET Core's own machinery.</summary>
internal static class BridgeSecurity
{
    public static bool IsConfigured(BridgeOptions options) => options.ApiKeys.Any(k => k.Length > 0) || options.Jwt.Enabled;

    public static IServiceCollection AddBridgeSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        var jwt = new BridgeJwtOptions();
        configuration.GetSection(BridgeOptions.SectionName + ":Jwt").Bind(jwt);

        var schemes = new List<string>();
        var authentication = services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName);
        if (jwt.Enabled)
        {
            authentication.AddJwtBearer(o =>
            {
                o.Authority = jwt.Authority;
                o.Audience = jwt.Audience;
                o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
                o.MapInboundClaims = false;
                o.Events = new JwtBearerEvents
                {
                    // EventSource cannot send headers: streams take the token from the query, as SignalR does.
                    OnMessageReceived = context =>
                    {
                        if (context.Token is null && ApiKeyAuthenticationHandler.IsEventStream(context.Request))
                        {
                            context.Token = ApiKeyAuthenticationHandler.PresentedToken(context.Request);
                        }

                        return Task.CompletedTask;
                    },
                };
            });
            schemes.Add(JwtBearerDefaults.AuthenticationScheme);
        }

        // Last, so its 401 problem body is what the client reads.
        authentication.AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        schemes.Add(ApiKeyAuthenticationHandler.SchemeName);

        services.AddSingleton<IAuthorizationHandler, BridgeAccessHandler>();
        services.AddAuthorizationBuilder().AddPolicy(BridgeAccessRequirement.PolicyName, policy => policy
            .AddAuthenticationSchemes([.. schemes])
            .AddRequirements(new BridgeAccessRequirement()));
        services.AddHostedService<BridgeExposureCheck>();
        return services;
    }
}
