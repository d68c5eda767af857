using System.Text.Json.Nodes;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Engine;

/// <summary>
/// The lexical chain of frames a node runs in. <c>steps.&lt;id&gt;</c> resolves from the innermost
/// frame outwards, so a foreach body sees its own iteration's outputs and the workflow's.
/// </summary>
internal sealed class Scope
{
    private Scope(Scope? parent, SequenceFrame frame, string pathPrefix, JsonNode? item, int? index, int? iteration)
    {
        Parent = parent;
        Frame = frame;
        PathPrefix = pathPrefix;
        Item = item ?? parent?.Item;
        Index = index ?? parent?.Index;
        Iteration = iteration ?? parent?.Iteration;
    }

    public Scope? Parent { get; }
    public SequenceFrame Frame { get; }

    /// <summary>Prefix of the paths of this frame's steps: "" at the root, "perItem[3]." in a foreach body.</summary>
    public string PathPrefix { get; }

    public JsonNode? Item { get; }
    public int? Index { get; }
    public int? Iteration { get; }

    public static Scope Root(SequenceFrame frame) => new(null, frame, "", null, null, null);

    public Scope Child(SequenceFrame frame, string pathPrefix, JsonNode? item = null, int? index = null, int? iteration = null) =>
        new(this, frame, pathPrefix, item, index, iteration);

    public string PathOf(string stepId) => PathPrefix + stepId;

    public EvaluationScope ToEvaluation(JsonNode? input, string? extraStepId = null, JsonNode? extraOutput = null)
    {
        var steps = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        AddOutputs(this, steps);
        if (extraStepId is not null)
        {
            steps[extraStepId] = extraOutput;
        }

        return new EvaluationScope { Input = input, Steps = steps, Item = Item, Index = Index, Iteration = Iteration };
    }

    private static void AddOutputs(Scope scope, Dictionary<string, JsonNode?> steps)
    {
        if (scope.Parent is not null)
        {
            AddOutputs(scope.Parent, steps);
        }

        foreach (var (id, output) in scope.Frame.Outputs)
        {
            steps[id] = output;
        }
    }
}
