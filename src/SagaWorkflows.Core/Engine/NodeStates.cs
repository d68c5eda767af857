using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SagaWorkflows.Core.Engine;

/// <summary>A sequence of steps being run: the root, a parallel branch, a foreach iteration, a loop body.</summary>
public sealed class SequenceFrame
{
    /// <summary>Index of the step running now (or next to start) in the owner's step list.</summary>
    public int Index { get; set; }

    /// <summary>The last completed step's output: the default input of the next step.</summary>
    public JsonNode? Last { get; set; }

    /// <summary>Outputs of this frame's completed steps: what <c>steps.&lt;id&gt;</c> sees.</summary>
    public Dictionary<string, JsonNode?> Outputs { get; set; } = new(StringComparer.Ordinal);

    public NodeState? Current { get; set; }

    /// <summary>The step at <see cref="Index"/> was not started because the transition's budget was spent; the run's next wake-up starts it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Yielded { get; set; }

    /// <summary>Every node running in this sequence, nested ones included, each before the nodes inside it.</summary>
    public IEnumerable<NodeState> Nodes()
    {
        if (Current is not { } node)
        {
            yield break;
        }

        yield return node;
        foreach (var frame in node.Frames())
        {
            foreach (var nested in frame.Nodes())
            {
                yield return nested;
            }
        }
    }
}

/// <summary>
/// What a running node keeps in the run's state; each node type's state class lives with its node type in
/// <c>Nodes/</c>, and is stored under the name that node type gives it (<c>NodeType.StateName</c>).
/// </summary>
public abstract class NodeState
{
    public string Path { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>The node failed; it stays in the tree only so its in-flight descendants can still report.</summary>
    public bool Failed { get; set; }

    /// <summary>The step sequences running inside this node (a parallel's branches, a loop's body…): the one
    /// walk of a run's tree, for wake-up times, in-flight counts and what the store keeps apart.</summary>
    public abstract IEnumerable<SequenceFrame> Frames();

    /// <summary>When the engine must wake up for this node: a deadline, a retry, a timer.</summary>
    /// <param name="halting">The run is failing or being cancelled: only attempts in flight still need their deadlines.</param>
    public virtual DateTimeOffset? DueAt(bool halting) => null;
}
