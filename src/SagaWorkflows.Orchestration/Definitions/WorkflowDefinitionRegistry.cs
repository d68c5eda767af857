using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Orchestration.Definitions;

/// <summary>
/// Definitions registered in code or loaded from a folder of <c>*.json</c> files
/// (<c>SagaWorkflows:DefinitionsPath</c>). Invalid files are reported and skipped, never fatal.
/// </summary>
public sealed partial class WorkflowDefinitionRegistry(ILogger<WorkflowDefinitionRegistry> logger, WorkflowLimits? limits = null) : IWorkflowDefinitionRegistry
{
    private readonly WorkflowLimits _limits = limits ?? WorkflowLimits.Default;

    private readonly ConcurrentDictionary<(string Id, int Version), string> _definitions = new();

    public void Add(string json)
    {
        var parsed = WorkflowDefinitionParser.Parse(json, _limits);
        if (!parsed.IsValid)
        {
            throw new ArgumentException($"invalid workflow definition: {string.Join("; ", parsed.Errors)}", nameof(json));
        }

        _definitions[(parsed.Definition!.Id, parsed.Definition.Version)] = json;
    }

    public void LoadDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                // Only worked out when it is logged (CA1873 does not see the guard through a [LoggerMessage] call).
                var fullPath = Path.GetFullPath(path);
                LogNoFolder(logger, fullPath);
            }

            return;
        }

        foreach (var file in Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories))
        {
            var json = File.ReadAllText(file);
            var parsed = WorkflowDefinitionParser.Parse(json, _limits);
            if (!parsed.IsValid)
            {
                LogSkippedInvalid(logger, file, string.Join("; ", parsed.Errors));
                continue;
            }

            _definitions[(parsed.Definition!.Id, parsed.Definition.Version)] = json;
            LogLoaded(logger, parsed.Definition.Id, parsed.Definition.Version, file);
        }
    }

    public string? Find(string workflowId, int? version)
    {
        if (version is { } v)
        {
            return _definitions.GetValueOrDefault((workflowId, v));
        }

        var newest = _definitions.Keys.Where(k => k.Id == workflowId).OrderByDescending(k => k.Version).FirstOrDefault();
        return newest.Id is null ? null : _definitions[newest];
    }

    public IReadOnlyList<(string Id, int Version)> List() => _definitions.Keys.OrderBy(k => k.Id).ThenBy(k => k.Version).ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "No workflow definitions folder at {Path}")]
    private static partial void LogNoFolder(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping invalid workflow definition {File}: {Errors}")]
    private static partial void LogSkippedInvalid(ILogger logger, string file, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded workflow {WorkflowId} v{Version} from {File}")]
    private static partial void LogLoaded(ILogger logger, string workflowId, int version, string file);
}
