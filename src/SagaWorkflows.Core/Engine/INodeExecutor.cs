using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Core.Engine;

/// <summary>The semantics of one node type; one implementation per type, in <c>Nodes/</c>.</summary>
internal interface INodeExecutor
{
    /// <summary>The step's input as it will run with it — a <c>tool</c>'s rendered <c>input</c>, an <c>ai</c>
    /// step's rendered prompts, otherwise the previous output — reported by <c>step-start</c> and given to
    /// <see cref="Start"/>. Throws <see cref="Expressions.ExpressionException"/> when a template fails.</summary>
    JsonNode? Prepare(StepDefinition step, JsonNode? input, Scope scope, RunContext context) => input;

    /// <summary>Starts the node. A node that finishes at once (a branch with an empty path, an empty
    /// foreach) completes without leaving state behind; otherwise <paramref name="state"/> is kept.</summary>
    Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state);

    /// <summary>Routes an event into the node's subtree. Broadcast events (timers, resume) visit
    /// every descendant; others stop at the first node that claims them.</summary>
    Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event);

    /// <summary>Every state in the subtree, for wake-up times and in-flight counts.</summary>
    IEnumerable<NodeState> Descendants(StepDefinition step, NodeState state);
}
