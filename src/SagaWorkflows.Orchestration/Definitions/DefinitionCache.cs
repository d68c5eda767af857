using System.Collections.Concurrent;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Orchestration.Definitions;

/// <summary>
/// Every message of a run needs its parsed definition; parsing (and preparing its expressions)
/// once per distinct definition text keeps that off the hot path.
/// </summary>
public sealed class DefinitionCache
{
    private const int MaxEntries = 1024;
    private readonly ConcurrentDictionary<string, DefinitionParseResult> _parsed = new(StringComparer.Ordinal);

    public DefinitionParseResult Get(string json)
    {
        if (_parsed.TryGetValue(json, out var cached))
        {
            return cached;
        }

        var parsed = WorkflowDefinitionParser.Parse(json);
        if (_parsed.Count >= MaxEntries)
        {
            _parsed.Clear();
        }

        _parsed[json] = parsed;
        return parsed;
    }
}
