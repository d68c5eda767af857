using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace SagaWorkflows.Bridge.Api;

/// <summary>
/// The live page's files, embedded in this assembly (see the project file) so the bridge serves them
/// from whatever process hosts it, whatever that process's content root.
/// </summary>
public sealed class BridgeAssets
{
    private const string Prefix = "wwwroot/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, Asset> _assets;

    public BridgeAssets()
    {
        var assembly = typeof(BridgeAssets).Assembly;
        _assets = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .ToFrozenDictionary(name => name[Prefix.Length..], name => Load(assembly, name), StringComparer.Ordinal);
    }

    public IEnumerable<string> Names => _assets.Keys;

    /// <summary>The file, answering 304 to a matching <c>If-None-Match</c>; null when there is no such file.</summary>
    public FileContentHttpResult? Get(string name) =>
        _assets.TryGetValue(name, out var asset)
            ? TypedResults.Bytes(asset.Content, asset.ContentType, entityTag: asset.ETag)
            : null;

    private static Asset Load(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        var contentType = ContentTypes.GetValueOrDefault(Path.GetExtension(resourceName), "application/octet-stream");
        var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\"");
        return new Asset(content, contentType, etag);
    }

    private sealed record Asset(byte[] Content, string ContentType, EntityTagHeaderValue ETag);
}
