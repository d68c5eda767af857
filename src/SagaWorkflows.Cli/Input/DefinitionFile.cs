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
}
