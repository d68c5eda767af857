using System.Text.Json;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Cli.Input;

/// <summary>An option that takes JSON inline or, as <c>@path</c>, from a file (like curl's <c>-d @file</c>).</summary>
public static class JsonArgument
{
    public static JsonElement Parse(string value, string optionName)
    {
        ArgumentNullException.ThrowIfNull(value);
        var fromFile = value.StartsWith('@');
        var text = fromFile ? InputFiles.ReadText(value[1..], $"{optionName} file") : value;
        var source = fromFile ? $"{optionName} file '{value[1..]}'" : optionName;
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.InvalidInput, $"{source}: {JsonText.DescribeSyntaxError(text, ex)}",
                fromFile ? null : $"quote the JSON for your shell, e.g. {optionName} '{{\"name\": \"Ada\"}}', or pass a file as {optionName} @input.json");
        }
    }
}
