using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Cli.Input;

/// <summary>A definition read from disk and run through the same parser the orchestrator uses, with the limits
/// configured for it (<see cref="ConfiguredLimits"/>).</summary>
public static class DefinitionFile
{
    public static (string Json, DefinitionParseResult Result) Load(string path)
    {
        var json = InputFiles.ReadText(path, "definition file");
        return (json, WorkflowDefinitionParser.Parse(json, ConfiguredLimits.Read()));
    }

    /// <summary>The valid definitions of a folder (<c>*.json</c>, recursively), as the orchestrator loads its
    /// <c>DefinitionsPath</c>; invalid files are skipped. A missing folder has none.</summary>
    public static IReadOnlyList<(string Id, int Version, string Json)> LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new CliException(ExitCodes.InvalidInput, $"definitions folder '{folder}' does not exist");
        }

        var limits = ConfiguredLimits.Read();
        var found = new List<(string, int, string)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories))
        {
            var json = File.ReadAllText(file);
            if (WorkflowDefinitionParser.Parse(json, limits).Definition is { } definition)
            {
                found.Add((definition.Id, definition.Version, json));
            }
        }

        return found;
    }
}
