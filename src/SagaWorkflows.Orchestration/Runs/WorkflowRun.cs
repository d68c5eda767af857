using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using SagaWorkflows.Orchestration.Persistence;

namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// The saga row of one run (CorrelationId = RunId). The engine's state travels as JSON; the columns
/// beside it are what queries need: the supervisor's due timers and the run's status.
/// </summary>
public sealed class WorkflowRun : IDurableSaga, IDurableSagaDependents
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }

    public string WorkflowId { get; set; } = "";
    public int WorkflowVersion { get; set; }

    /// <summary>The definition the run started with: later edits of the workflow do not change it.</summary>
    public string DefinitionJson { get; set; } = "";

    public string StateJson { get; set; } = "";

    /// <summary>When a timer of this run is due (timeouts, retries, sleeps, waits), in UTC.</summary>
    public DateTime? WakeAt { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public List<OutboxItem> PendingMessages { get; } = [];

    // Not stored (fields are not mapped): the objects this process decoded or produced for StateJson and
    // DefinitionJson, valid while those strings are the very ones they were decoded from. An instance kept in
    // the saga instance cache thus skips parsing its state and its definition on the next message.
    internal Core.Engine.RunState? DecodedState;
    internal string? DecodedStateJson;
    internal Core.Definitions.DefinitionParseResult? DecodedDefinition;
    internal string? DecodedDefinitionJson;

    // The parts of the state kept in WorkflowRunParts (RunStateCodec): as read from the store (until decoded),
    // as the store holds them now (the node references each part was written from), and this transition's changes.
    internal Dictionary<string, string>? StoredParts;
    internal readonly Dictionary<string, JsonNode?[]> WrittenParts = new(StringComparer.Ordinal);
    internal readonly List<DependentRowChange> PartChanges = [];

    IReadOnlyList<DependentRowChange> IDurableSagaDependents.TakeDependentChanges()
    {
        var changes = PartChanges.ToList();
        PartChanges.Clear();
        return changes;
    }

    async Task IDurableSagaDependents.LoadDependentsAsync(DbContext dbContext, CancellationToken cancellationToken)
    {
        StoredParts = await dbContext.Set<WorkflowRunPart>().AsNoTracking()
            .Where(p => p.RunId == CorrelationId)
            .ToDictionaryAsync(p => p.Key, p => p.Json, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
    }
}
