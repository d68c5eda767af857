using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Core.Engine;

/// <summary>The semantics of one node type; one implementation per type, in <c>Nodes/</c>.</summary>
internal interface INodeExecutor
{
    /// <summary>Starts the node. A node that finishes at once (a branch with an empty path, an empty
    /// foreach) completes without leaving state behind; otherwise <paramref name="state"/> is kept.</summary>
    Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state);

    /// <summary>Routes an event into the node's subtree. Broadcast events (timers, resume) visit
    /// every descendant; others stop at the first node that claims them.</summary>
    Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event);

    /// <summary>Every state in the subtree, for wake-up times and in-flight counts.</summary>
    IEnumerable<NodeState> Descendants(StepDefinition step, NodeState state);
}
