using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Nodes;

/// <summary>
/// Everything about one node type, in one place: its definition record, how it is read from JSON, the
/// parts of it that hold steps or read <c>steps.&lt;id&gt;</c>, and how it runs. One subclass per type, in its
/// own file beside its definition record and its state, registered once in <see cref="NodeTypes"/>.
/// </summary>
internal abstract class NodeType
{
    /// <summary>The <c>type</c> of the JSON step.</summary>
    public abstract string Name { get; }

    public abstract Type DefinitionType { get; }

    /// <summary>What it keeps in the run's state while it runs.</summary>
    public abstract Type StateType { get; }

    /// <summary>How the state is named in stored run state (<c>$node</c>); stored runs depend on it, never change it.</summary>
    public abstract string StateName { get; }

    /// <summary>Its own JSON properties, besides <c>id</c>, <c>type</c>, <c>name</c> and <c>description</c>.</summary>
    public abstract IReadOnlySet<string> Properties { get; }

    /// <summary>Holds steps: reading it goes one level deeper, bounded by the nesting limit.</summary>
    public virtual bool IsContainer => false;

    /// <summary>Runs in attempts (a command out to a worker): its <c>step-start</c> names attempt 1.</summary>
    public virtual bool HasAttempts => false;

    /// <summary>Reads the step's own fields; problems go to <paramref name="reader"/>, and a record is returned anyway.</summary>
    public abstract StepDefinition Read(JsonObject json, string id, string path, DefinitionReader reader);

    /// <summary>
    /// The step's nested step lists and the expressions and templates that may read <c>steps.&lt;id&gt;</c>, in
    /// the order they run. The one walk of a definition's tree: what outputs a run keeps and which references
    /// the validator checks both follow it.
    /// </summary>
    public abstract IEnumerable<NodePart> Parts(StepDefinition step);

    /// <summary>The step's input as it will run with it — a <c>tool</c>'s rendered <c>input</c>, an <c>ai</c>
    /// step's rendered prompts, otherwise the previous output — reported by <c>step-start</c> and given to
    /// <see cref="Start"/>. Throws <see cref="Expressions.ExpressionException"/> when a template fails.</summary>
    public abstract JsonNode? Prepare(StepDefinition step, JsonNode? input, Scope scope, RunContext context);

    /// <summary>Adds what the node's <c>step-start</c> reports besides its input (a <c>workflow</c> step names its child run).</summary>
    public virtual void DescribeStart(StepDefinition step, string path, RunContext context, JsonObject data)
    {
    }

    /// <summary>Starts the node. A node that finishes at once (a branch with an empty path, an empty
    /// foreach) completes without leaving state behind; otherwise <paramref name="state"/> is kept.</summary>
    public abstract Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state);

    /// <summary>Routes an event into the node's subtree. Broadcast events (timers, resume) visit
    /// every descendant; others stop at the first node that claims them.</summary>
    public abstract Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event);

    /// <summary>Timers and resume reach every node; other events are for exactly one.</summary>
    protected static bool IsBroadcast(RunEvent @event) => @event is TimerElapsed or ResumeRequested;
}

/// <summary>A node type with its definition record and state types: the casts are made here, once.</summary>
internal abstract class NodeType<TStep, TState> : NodeType
    where TStep : StepDefinition
    where TState : NodeState
{
    public sealed override Type DefinitionType => typeof(TStep);

    public sealed override Type StateType => typeof(TState);

    public sealed override StepDefinition Read(JsonObject json, string id, string path, DefinitionReader reader) => ReadStep(json, id, path, reader);

    public sealed override IEnumerable<NodePart> Parts(StepDefinition step) => PartsOf((TStep)step);

    public sealed override JsonNode? Prepare(StepDefinition step, JsonNode? input, Scope scope, RunContext context) =>
        PrepareInput((TStep)step, input, scope, context);

    public sealed override void DescribeStart(StepDefinition step, string path, RunContext context, JsonObject data) =>
        DescribeStartOf((TStep)step, path, context, data);

    public sealed override Outcome Start(StepDefinition step, string path, JsonNode? input, Scope scope, RunContext context, out NodeState? state)
    {
        var outcome = StartNode((TStep)step, path, input, scope, context, out var typed);
        state = typed;
        return outcome;
    }

    public sealed override Outcome Deliver(StepDefinition step, NodeState state, Scope scope, RunContext context, RunEvent @event) =>
        DeliverNode((TStep)step, (TState)state, scope, context, @event);

    protected abstract TStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader);

    protected abstract IEnumerable<NodePart> PartsOf(TStep step);

    protected virtual JsonNode? PrepareInput(TStep step, JsonNode? input, Scope scope, RunContext context) => input;

    protected virtual void DescribeStartOf(TStep step, string path, RunContext context, JsonObject data)
    {
    }

    protected abstract Outcome StartNode(TStep step, string path, JsonNode? input, Scope scope, RunContext context, out TState? state);

    protected abstract Outcome DeliverNode(TStep step, TState state, Scope scope, RunContext context, RunEvent @event);
}

/// <summary>A part of a step that the definition walks see: nested steps, or text that may read <c>steps.&lt;id&gt;</c>.</summary>
internal abstract record NodePart;

/// <summary>A list of steps nested in the node (a branch, a body, a case), in definition order.</summary>
internal sealed record StepsPart(IReadOnlyList<StepDefinition> Steps) : NodePart;

/// <summary>A bare expression (<c>items</c>, <c>until</c>, <c>when</c>) at <paramref name="Path"/>.</summary>
internal sealed record ExpressionPart(string Path, string Expression, Sight Sees) : NodePart;

/// <summary>A template (<c>input</c>, <c>prompt</c>): every string in it may hold <c>${ }</c> expressions.</summary>
internal sealed record TemplateValuePart(string Path, JsonNode Template, Sight Sees) : NodePart;

/// <summary>Which step outputs an expression can read when it runs.</summary>
internal enum Sight
{
    /// <summary>The steps before this one in its list and in every list that encloses it.</summary>
    Before,

    /// <summary>Those and the step itself (a compensation's input reads its own step's output).</summary>
    BeforeAndSelf,

    /// <summary>Those and the steps of the body part just before it (a loop's test reads its body).</summary>
    Body,
}
