using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SagaWorkflows.Bridge.Security;

/// <summary>
/// Refuses to run an unauthenticated bridge on anything but loopback: once the server listens, its addresses
/// are checked, and without API keys, JWT or an explicit <c>AllowAnonymous</c> a non-loopback one stops the host.
/// (Until then the access policy already serves only loopback requests.)
/// </summary>
internal sealed partial class BridgeExposureCheck(IServer server, IOptions<BridgeOptions> options, ILogger<BridgeExposureCheck> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (BridgeSecurity.IsConfigured(o))
        {
            return Task.CompletedTask;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
        if (o.AllowAnonymous)
        {
            LogAnonymous(logger, addresses);
            return Task.CompletedTask;
        }

        if (exposed.Count > 0)
        {
            throw new InvalidOperationException(
                $"The bridge listens on {string.Join(", ", exposed)} without authentication. Set an API key "
                + "(SagaWorkflows__Bridge__ApiKeys__0=<key>) or a JWT authority (SagaWorkflows__Bridge__Jwt__Authority), "
                + "listen on loopback only (--urls http://127.0.0.1:5080), or, if something in front of the bridge authenticates, "
                + "set SagaWorkflows__Bridge__AllowAnonymous=true.");
        }

        if (addresses.Count > 0)
        {
            LogLoopbackOnly(logger, addresses);
        }

        return Task.CompletedTask;
    }

    internal static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal),
            UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The bridge serves everyone without authentication (SagaWorkflows:Bridge:AllowAnonymous) on {Addresses}")]
    private static partial void LogAnonymous(ILogger logger, ICollection<string> addresses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The bridge has no API keys: it serves requests over loopback only ({Addresses}). Set SagaWorkflows__Bridge__ApiKeys__0 to require a key.")]
    private static partial void LogLoopbackOnly(ILogger logger, ICollection<string> addresses);
}
