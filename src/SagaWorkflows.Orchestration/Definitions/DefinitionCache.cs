using System.Collections.Concurrent;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Orchestration.Definitions;

/// <summary>
/// Every message of a run needs its parsed definition; parsing (and preparing its expressions)
/// once per distinct definition text keeps that off the hot path. Bounded in entries and in the
/// characters it holds, since definitions arrive from whoever may start runs.
/// </summary>
public sealed class DefinitionCache(OrchestratorOptions? options = null)
{
    private const int MaxEntries = 1024;
    private const long MaxCharacters = 32L * 1024 * 1024;
    private readonly WorkflowLimits _limits = options?.Limits ?? WorkflowLimits.Default;
    private readonly ConcurrentDictionary<string, DefinitionParseResult> _parsed = new(StringComparer.Ordinal);
    private long _characters;

    public DefinitionParseResult Get(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (_parsed.TryGetValue(json, out var cached))
        {
            return cached;
        }

        var parsed = WorkflowDefinitionParser.Parse(json, _limits);
        if (_parsed.Count >= MaxEntries || Interlocked.Read(ref _characters) + json.Length > MaxCharacters)
        {
            _parsed.Clear();
            Interlocked.Exchange(ref _characters, 0);
        }

        if (_parsed.TryAdd(json, parsed))
        {
            Interlocked.Add(ref _characters, json.Length);
        }

        return parsed;
    }
}
