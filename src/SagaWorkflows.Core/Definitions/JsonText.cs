using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SagaWorkflows.Core.Definitions;

/// <summary>
/// Locations in the definition's source text. System.Text.Json reports positions in bytes and says
/// nothing about where a duplicate property is; a designer needs lines, characters and paths.
/// </summary>
public static partial class JsonText
{
    /// <summary>
    /// <c>invalid JSON at line L, column C: what</c>, with the column in characters and the reader's
    /// own location suffix dropped; kept on one line, although the reader quotes the rest of the
    /// offending line, newlines included.
    /// </summary>
    public static string DescribeSyntaxError(string json, JsonException error)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(error);
        var where = error.LineNumber is { } line
            ? $" at line {line + 1}, column {Column(json, line, error.BytePositionInLine ?? 0)}"
            : "";
        return $"invalid JSON{where}: {FirstSentence(error.Message)}";
    }

    /// <summary>Every property named twice in the same object, with its path and location.</summary>
    internal static List<ValidationError> FindDuplicateProperties(string json)
    {
        var errors = new List<ValidationError>();
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var frames = new Stack<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        {
                            var frame = frames.Peek();
                            frame.Property = reader.GetString()!;
                            if (!frame.Names.Add(frame.Property))
                            {
                                var (line, column) = Locate(bytes, (int)reader.TokenStartIndex);
                                errors.Add(new ValidationError(frame.Path + WorkflowDefinitionParser.PropertyPath(frame.Property),
                                    $"duplicate property at line {line}, column {column}"));
                            }

                            break;
                        }

                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        frames.Push(new Frame(ValuePath(frames)));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    default:
                        ValuePath(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Only called once the text is known to be well-formed apart from duplicates.
        }

        return errors;
    }

    /// <summary>The 1-based character column of a 0-based byte position on a 0-based line.</summary>
    private static long Column(string json, long line, long bytePosition)
    {
        var lines = json.Split('\n');
        if (line < 0 || line >= lines.Length)
        {
            return bytePosition + 1;
        }

        var lineBytes = Encoding.UTF8.GetBytes(lines[line]);
        var length = (int)Math.Clamp(bytePosition, 0, lineBytes.Length);
        return Encoding.UTF8.GetCharCount(lineBytes, 0, length) + 1;
    }

    /// <summary>The path of the value starting now; counts it when it is an array element.</summary>
    private static string ValuePath(Stack<Frame> frames)
    {
        if (!frames.TryPeek(out var parent))
        {
            return "$";
        }

        return parent.Property is { } property
            ? parent.Path + WorkflowDefinitionParser.PropertyPath(property)
            : $"{parent.Path}[{WorkflowDefinitionParser.Format(parent.Elements++)}]";
    }

    private static (int Line, int Column) Locate(byte[] bytes, int offset)
    {
        var lineStart = offset == 0 ? 0 : Array.LastIndexOf(bytes, (byte)'\n', offset - 1) + 1;
        var line = bytes.AsSpan(0, lineStart).Count((byte)'\n') + 1;
        return (line, Encoding.UTF8.GetCharCount(bytes, lineStart, offset - lineStart) + 1);
    }

    private static string FirstSentence(string message)
    {
        foreach (var marker in (string[])[" Path:", " LineNumber:"])
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return LineBreaks().Replace(message, " ").TrimEnd('.', ' ');
    }

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex LineBreaks();

    private sealed class Frame(string path)
    {
        public string Path { get; } = path;
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        /// <summary>The property whose value comes next; null in an array.</summary>
        public string? Property { get; set; }

        public int Elements { get; set; }
    }
}
