using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Core.Nodes;

/// <summary><c>parallel</c>: every named branch runs at once.</summary>
public sealed record ParallelStep : StepDefinition
{
    public const string TypeName = "parallel";

    public override string Type => TypeName;

    /// <summary>Branch name → steps, in definition order.</summary>
    public required IReadOnlyList<KeyValuePair<string, IReadOnlyList<StepDefinition>>> Branches { get; init; }
}

/// <summary>A running <c>parallel</c>.</summary>
public sealed class ParallelState : NodeState
{
    /// <summary>Running branches; a finished branch is removed and its output put in <see cref="Results"/>.</summary>
    public Dictionary<string, SequenceFrame> Running { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonNode?> Results { get; set; } = new(StringComparer.Ordinal);

    public override IEnumerable<SequenceFrame> Frames() => Running.Values;
}

/// <summary>
/// <c>parallel</c>: every named branch starts at once with the parallel's input; the output is
/// <c>{ branch: lastOutput }</c> in definition order, whatever order the branches finish in.
/// </summary>
internal sealed class ParallelNode : NodeType<ParallelStep, ParallelState>
{
    public override string Name => ParallelStep.TypeName;

    public override string StateName => "parallel";

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "branches" };

    public override bool IsContainer => true;

    protected override ParallelStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader)
    {
        var branches = new List<KeyValuePair<string, IReadOnlyList<StepDefinition>>>();
        var bPath = $"{path}.branches";
        switch (json["branches"])
        {
            case null:
                reader.Error(bPath, "is required");
                break;
            case JsonObject b when b.Count == 0:
                reader.Error(bPath, "must name at least one branch");
                break;
            case JsonObject b:
                foreach (var (name, steps) in b)
                {
                    var stepsPath = $"{bPath}{WorkflowDefinitionParser.PropertyPath(name)}";
                    if (name.Length > reader.Limits.MaxIdLength)
                    {
                        reader.Error(stepsPath, WorkflowDefinitionParser.TooLong("a branch name", name.Length, reader.Limits.MaxIdLength, "MaxIdLength"));
                    }

                    branches.Add(new(name, steps is null ? reader.MissingSteps(stepsPath) : reader.ReadSteps(steps, stepsPath, allowEmpty: true)));
                }

                break;
            default:
                reader.Error(bPath, "must be an object of branch name → steps");
                break;
        }

        return new ParallelStep { Id = id, JsonPath = path, Branches = branches };
    }

    protected override IEnumerable<NodePart> PartsOf(ParallelStep step) => step.Branches.Select(b => new StepsPart(b.Value));

    protected override Outcome StartNode(ParallelStep step, string path, JsonNode? input, Scope scope, RunContext context, out ParallelState? state)
    {
        var running = new ParallelState { Path = path, StartedAt = context.Now };
        state = running;
        foreach (var (name, _) in step.Branches)
        {
            running.Running[name] = new SequenceFrame { Last = input?.DeepClone() };
        }

        foreach (var (name, steps) in step.Branches)
        {
            var outcome = SequenceRunner.Advance(steps, BranchScope(scope, running, name), context);
            if (Settle(running, name, outcome) is { } failed)
            {
                return failed;
            }
        }

        return Finish(step, running);
    }

    protected override Outcome DeliverNode(ParallelStep step, ParallelState state, Scope scope, RunContext context, RunEvent @event)
    {
        var handled = false;
        foreach (var (name, steps) in step.Branches)
        {
            if (!state.Running.ContainsKey(name))
            {
                continue;
            }

            var outcome = SequenceRunner.Deliver(steps, BranchScope(scope, state, name), context, @event);
            if (!outcome.Handled)
            {
                continue;
            }

            handled = true;
            if (Settle(state, name, outcome) is { } failed)
            {
                return failed;
            }

            if (!IsBroadcast(@event))
            {
                break;
            }
        }

        return handled ? Finish(step, state) : Outcome.NotFound;
    }

    private static Scope BranchScope(Scope scope, ParallelState state, string branch) =>
        scope.Child(state.Running[branch], state.Path + ".");

    private static Outcome? Settle(ParallelState state, string branch, Outcome outcome)
    {
        switch (outcome.Kind)
        {
            case OutcomeKind.Completed:
                state.Running.Remove(branch);
                state.Results[branch] = outcome.Output;
                return null;
            case OutcomeKind.Failed:
                return outcome;
            default:
                return null;
        }
    }

    private static Outcome Finish(ParallelStep step, ParallelState state)
    {
        if (state.Running.Count > 0)
        {
            return Outcome.Pending;
        }

        var output = new JsonObject();
        foreach (var (name, _) in step.Branches)
        {
            output[name] = state.Results.GetValueOrDefault(name)?.DeepClone();
        }

        return Outcome.Completed(output);
    }
}
