using System.Security.Cryptography;
using System.Text;

namespace SagaWorkflows.Core.Engine;

/// <summary>
/// A step execution's id derives from its run and path, so a re-dispatched command, a duplicate
/// reply and a replayed transition all name the same execution.
/// </summary>
public static class ExecutionIds
{
    public static Guid For(Guid runId, string path)
    {
        Span<byte> source = stackalloc byte[16 + Encoding.UTF8.GetMaxByteCount(path.Length)];
        runId.TryWriteBytes(source);
        var length = 16 + Encoding.UTF8.GetBytes(path, source[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(source[..length], hash);
        hash[7] = (byte)((hash[7] & 0x0F) | 0x50); // version 5-style marker: name-based
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16]);
    }
}
