using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;

namespace SagaWorkflows.Core.Definitions;

/// <summary>
/// Parses and validates the JSON definition format, reporting every problem at once with its JSON
/// path, so a designer can show them all next to the fields that caused them.
/// </summary>
public static partial class WorkflowDefinitionParser
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    internal static partial Regex IdPattern();

    public static DefinitionParseResult Parse(string json) => Parse(json, WorkflowLimits.Default);

    /// <summary>Parses and validates <paramref name="json"/>, refusing anything beyond <paramref name="limits"/>.</summary>
    public static DefinitionParseResult Parse(string json, WorkflowLimits limits)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(limits);
        if (json.Length > limits.MaxDefinitionLength)
        {
            return new DefinitionParseResult(null, [new ValidationError("$",
                $"the definition is {Format(json.Length)} characters long; the limit is {Format(limits.MaxDefinitionLength)} ({WorkflowLimits.SectionName}:MaxDefinitionLength)")]);
        }

        JsonNode? root;
        try
        {
            // Duplicates are refused here because JsonObject would otherwise throw on first access.
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
                AllowDuplicateProperties = false,
            });
        }
        catch (JsonException ex)
        {
            if (ex.LineNumber is null)
            {
                var duplicates = JsonText.FindDuplicateProperties(json);
                if (duplicates.Count > 0)
                {
                    return new DefinitionParseResult(null, duplicates);
                }
            }

            return new DefinitionParseResult(null, [new ValidationError("$", JsonText.DescribeSyntaxError(json, ex))]);
        }
        catch (ArgumentException)
        {
            // System.Text.Json transcodes to UTF-8 first, and a lone surrogate has no UTF-8 form.
            return new DefinitionParseResult(null, [new ValidationError("$", "the definition is not valid text: it holds a lone UTF-16 surrogate")]);
        }

        var reader = new DefinitionReader(limits);
        try
        {
            var definition = reader.ReadWorkflow(root, json);
            reader.Errors.AddRange(StepReferenceValidator.Check(root, reader));
            return new DefinitionParseResult(reader.Errors.Count == 0 ? definition : null, reader.Errors);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("surrogate", StringComparison.OrdinalIgnoreCase))
        {
            // An escaped lone surrogate ("\ud800") is valid JSON but no string: it fails where a value is read.
            return new DefinitionParseResult(null, [.. reader.Errors, new ValidationError("$", "a string of the definition holds a lone UTF-16 surrogate escape such as \\ud800")]);
        }
    }


    /// <summary>ISO 8601 durations (<c>PT30S</c>, <c>P1D</c>, <c>PT0.5S</c>).</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        // XmlConvert tolerates surrounding blanks; the schema's pattern does not, and both must agree.
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith('P') && !text.StartsWith("-P", StringComparison.Ordinal)
            || char.IsWhiteSpace(text[^1]))
        {
            return false;
        }

        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    internal static string PropertyPath(string name) =>
        IdPattern().IsMatch(name) && !name.Contains('-', StringComparison.Ordinal) && name.Length <= MaxPathNameLength
            ? "." + name
            : "['" + Shorten(name).Replace("'", "\\'", StringComparison.Ordinal) + "']";

    /// <summary>Names beyond this are cut in paths and messages, so a hostile name cannot make every message huge.</summary>
    private const int MaxPathNameLength = 256;

    internal static string Shorten(string text) =>
        text.Length <= MaxPathNameLength ? text : string.Concat(text.AsSpan(0, 64), "…(", Format(text.Length), " characters)");

    internal static string TooLong(string what, int length, int limit, string setting) =>
        $"{what} is {Format(length)} characters long; the limit is {Format(limit)} ({WorkflowLimits.SectionName}:{setting})";

    internal static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
