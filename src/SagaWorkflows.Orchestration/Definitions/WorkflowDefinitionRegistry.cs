using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Orchestration.Definitions;

/// <summary>
/// Definitions registered in code or loaded from a folder of <c>*.json</c> files
/// (<c>SagaWorkflows:DefinitionsPath</c>). Invalid files are reported and skipped, never fatal.
/// </summary>
public sealed class WorkflowDefinitionRegistry(ILogger<WorkflowDefinitionRegistry> logger, WorkflowLimits? limits = null) : IWorkflowDefinitionRegistry
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
            logger.LogInformation("No workflow definitions folder at {Path}", Path.GetFullPath(path));
            return;
        }

        foreach (var file in Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories))
        {
            var json = File.ReadAllText(file);
            var parsed = WorkflowDefinitionParser.Parse(json, _limits);
            if (!parsed.IsValid)
            {
                logger.LogWarning("Skipping invalid workflow definition {File}: {Errors}", file, string.Join("; ", parsed.Errors));
                continue;
            }

            _definitions[(parsed.Definition!.Id, parsed.Definition.Version)] = json;
            logger.LogInformation("Loaded workflow {WorkflowId} v{Version} from {File}", parsed.Definition.Id, parsed.Definition.Version, file);
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
}
