using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Nodes;

/// <summary><c>branch</c>: the first case whose <c>when</c> is true, else <see cref="Default"/>.</summary>
public sealed record BranchStep : StepDefinition
{
    public const string TypeName = "branch";

    public override string Type => TypeName;
    public required IReadOnlyList<BranchCase> Cases { get; init; }
    public IReadOnlyList<StepDefinition> Default { get; init; } = [];
}

/// <summary>One case of a <c>branch</c>; <see cref="JsonPath"/> locates it in the source for messages.</summary>
public sealed record BranchCase(string When, IReadOnlyList<StepDefinition> Steps)
{
    public string JsonPath { get; init; } = "";
}

/// <summary>A running <c>branch</c>: the path it took.</summary>
public sealed class BranchState : NodeState
{
    /// <summary>The taken case, or -1 for <c>default</c>.</summary>
    public int Case { get; set; }

    public SequenceFrame Body { get; set; } = new();

    public override IEnumerable<SequenceFrame> Frames() => [Body];
}

/// <summary>
/// <c>branch</c>: takes the first case whose <c>when</c> is true, else <c>default</c>; its output is
/// the taken path's last output (its input when the path is empty).
/// </summary>
internal sealed class BranchNode : NodeType<BranchStep, BranchState>
{
    private static readonly HashSet<string> CaseProperties = ["when", "steps"];

    public override string Name => BranchStep.TypeName;

    public override string StateName => "branch";

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "cases", "default" };

    public override bool IsContainer => true;

    protected override BranchStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader)
    {
        var cases = new List<BranchCase>();
        var cPath = $"{path}.cases";
        switch (json["cases"])
        {
            case null:
                reader.Error(cPath, "is required");
                break;
            case JsonArray array:
                if (array.Count == 0)
                {
                    reader.Error(cPath, "must contain at least one case");
                }

                for (var i = 0; i < array.Count; i++)
                {
                    var casePath = $"{cPath}[{i}]";
                    if (array[i] is not JsonObject c)
                    {
                        reader.Error(casePath, "must be an object with 'when' and 'steps'");
                        continue;
                    }

                    reader.CheckUnknown(c, casePath, CaseProperties);
                    var when = reader.RequiredExpression(c, "when", casePath) ?? "";
                    cases.Add(new BranchCase(when, reader.ReadStepList(c, "steps", casePath, required: true, allowEmpty: true)) { JsonPath = casePath });
                }

                break;
            default:
                reader.Error(cPath, "must be an array of { when, steps }");
                break;
        }

        return new BranchStep
        {
            Id = id,
            JsonPath = path,
            Cases = cases,
            Default = reader.ReadStepList(json, "default", path, required: false, allowEmpty: true),
        };
    }

    protected override IEnumerable<NodePart> PartsOf(BranchStep step)
    {
        foreach (var branchCase in step.Cases)
        {
            yield return new ExpressionPart($"{branchCase.JsonPath}.when", branchCase.When, Sight.Before);
            yield return new StepsPart(branchCase.Steps);
        }

        yield return new StepsPart(step.Default);
    }

    protected override Outcome StartNode(BranchStep step, string path, JsonNode? input, Scope scope, RunContext context, out BranchState? state)
    {
        state = null;
        var taken = -1;
        var evaluation = scope.ToEvaluation(context.State.Input);
        try
        {
            for (var i = 0; i < step.Cases.Count && taken < 0; i++)
            {
                if (context.Expressions.IsTrue(step.Cases[i].When, evaluation))
                {
                    taken = i;
                }
            }
        }
        catch (ExpressionException ex)
        {
            return Outcome.Fail(StepError.Expression(ex.Message));
        }

        var running = new BranchState { Path = path, StartedAt = context.Now, Case = taken, Body = new SequenceFrame { Last = input?.DeepClone() } };
        state = running;
        return SequenceRunner.Advance(StepsOf(step, taken), BodyScope(scope, running), context);
    }

    protected override Outcome DeliverNode(BranchStep step, BranchState state, Scope scope, RunContext context, RunEvent @event) =>
        SequenceRunner.Deliver(StepsOf(step, state.Case), BodyScope(scope, state), context, @event);

    private static IReadOnlyList<StepDefinition> StepsOf(BranchStep step, int taken) =>
        taken < 0 ? step.Default : step.Cases[taken].Steps;

    private static Scope BodyScope(Scope scope, BranchState state) => scope.Child(state.Body, state.Path + ".");
}
