using System.Security.Cryptography;
using System.Text;

namespace SagaWorkflows.Core.Engine;

/// <summary>
/// A step execution's id derives from its run and path, so a re-dispatched command, a duplicate
/// reply and a replayed transition all name the same execution.
/// </summary>
public static class ExecutionIds
{
    /// <summary>Characters of the path encoded per chunk: the stack buffer is the same size whatever the path's length.</summary>
    private const int ChunkChars = 256;

    public static Guid For(Guid runId, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[Math.Max(16, Encoding.UTF8.GetMaxByteCount(ChunkChars))];
        runId.TryWriteBytes(buffer);
        sha.AppendData(buffer[..16]);

        // The UTF-8 bytes of the path, hashed a chunk at a time: the same hash as of the whole text at once.
        var encoder = Encoding.UTF8.GetEncoder();
        var rest = path.AsSpan();
        do
        {
            var chunk = rest[..Math.Min(ChunkChars, rest.Length)];
            rest = rest[chunk.Length..];
            var written = encoder.GetBytes(chunk, buffer, flush: rest.IsEmpty);
            sha.AppendData(buffer[..written]);
        }
        while (!rest.IsEmpty);

        Span<byte> hash = stackalloc byte[32];
        sha.GetHashAndReset(hash);
        hash[7] = (byte)((hash[7] & 0x0F) | 0x50); // version 5-style marker: name-based
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16]);
    }
}
