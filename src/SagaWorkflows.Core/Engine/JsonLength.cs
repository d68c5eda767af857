using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SagaWorkflows.Core.Engine;

/// <summary>Measures a JSON value's serialised size without keeping its text, stopping as soon as it is over a bound.</summary>
internal static class JsonLength
{
    private static readonly JsonWriterOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>Whether <paramref name="node"/> serialises to at most <paramref name="limit"/> bytes of UTF-8 JSON.</summary>
    public static bool AtMost(JsonNode node, int limit)
    {
        var counter = new CountingBuffer(limit);
        try
        {
            using var writer = new Utf8JsonWriter(counter, Unescaped);
            node.WriteTo(writer);
            writer.Flush();
            return true;
        }
        catch (LimitReachedException)
        {
            return false;
        }
    }

    private sealed class LimitReachedException : Exception;

    /// <summary>Hands the writer the same scratch buffer again and again, counting what it wrote.</summary>
    private sealed class CountingBuffer(long limit) : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];
        private long _length;

        public void Advance(int count)
        {
            _length += count;
            if (_length > limit)
            {
                throw new LimitReachedException();
            }
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

        private byte[] Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length)
            {
                // A string asks for up to 6 bytes per character: asking for more than 6 × the limit means more
                // characters, so more bytes, than the limit allows.
                if (sizeHint > limit * 6 + 64)
                {
                    throw new LimitReachedException();
                }

                _scratch = new byte[sizeHint];
            }

            return _scratch;
        }
    }
}
