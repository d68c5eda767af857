namespace SagaWorkflows.Cli.Watching;

/// <summary>Where the SSE bridge listens: <c>--bridge</c>, else <c>SAGAWF_BRIDGE</c>, else the local default.</summary>
public sealed record BridgeAddress(Uri Uri, string Source)
{
    public const string EnvironmentVariable = "SAGAWF_BRIDGE";
    public const string Default = "http://127.0.0.1:5080";

    public static BridgeAddress Resolve(string? option)
    {
        if (option is not null)
        {
            return Parse(option, "--bridge");
        }

        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(configured) ? Parse(Default, "the default") : Parse(configured, EnvironmentVariable);
    }

    public Uri RunEvents(Guid runId) => new(Uri, $"runs/{runId}/events");

    private static BridgeAddress Parse(string value, string source)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            // A trailing slash makes relative paths append to a base path such as /sagawf/ instead of replacing it.
            return new BridgeAddress(uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/"), source);
        }

        throw new CliException(ExitCodes.Usage, $"{source} '{value}' is not an http(s) URL",
            $"use the bridge's base address, e.g. {Default}");
    }
}
