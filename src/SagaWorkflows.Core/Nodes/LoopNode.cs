using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Nodes;

/// <summary><c>loop</c>: do-until or do-while over <see cref="Steps"/>, bounded by <see cref="MaxIterations"/>.</summary>
public sealed record LoopStep : StepDefinition
{
    public const string TypeName = "loop";
    public const int DefaultMaxIterations = 100;

    public override string Type => TypeName;

    /// <summary>do-until: stop when true. Exactly one of <see cref="Until"/> and <see cref="While"/>.</summary>
    public string? Until { get; init; }

    /// <summary>do-while: go on while true.</summary>
    public string? While { get; init; }

    public int MaxIterations { get; init; } = DefaultMaxIterations;
    public required IReadOnlyList<StepDefinition> Steps { get; init; }
}

/// <summary>A running <c>loop</c>: only its current iteration.</summary>
public sealed class LoopState : NodeState
{
    public int Iteration { get; set; } = 1;
    public SequenceFrame Body { get; set; } = new();

    public override IEnumerable<SequenceFrame> Frames() => [Body];
}

/// <summary>
/// <c>loop</c>: do-until / do-while. The body runs first, then the test sees the body's outputs
/// and <c>iteration</c> (1-based). Only the current iteration is kept, so a long loop does not grow
/// the run; the output is the last iteration's output. Needing more than <c>maxIterations</c> fails.
/// </summary>
internal sealed class LoopNode : NodeType<LoopStep, LoopState>
{
    public override string Name => LoopStep.TypeName;

    public override string StateName => "loop";

    public override IReadOnlySet<string> Properties { get; } = new HashSet<string> { "until", "while", "maxIterations", "steps" };

    public override bool IsContainer => true;

    protected override LoopStep ReadStep(JsonObject json, string id, string path, DefinitionReader reader)
    {
        string? until = null, @while = null;
        if (json.ContainsKey("until") && json.ContainsKey("while"))
        {
            reader.Error(path, "set either 'until' (do-until) or 'while' (do-while), not both");
        }
        else if (json.ContainsKey("while"))
        {
            @while = reader.RequiredExpression(json, "while", path);
        }
        else if (json.ContainsKey("until"))
        {
            until = reader.RequiredExpression(json, "until", path);
        }
        else
        {
            reader.Error($"{path}.until", "is required (or 'while')");
        }

        var limit = reader.Limits.MaxLoopIterations;
        return new LoopStep
        {
            Id = id,
            JsonPath = path,
            Until = until,
            While = @while,
            MaxIterations = reader.OptionalInt(json, "maxIterations", path, min: 1, max: limit, "MaxLoopIterations")
                ?? Math.Min(LoopStep.DefaultMaxIterations, limit),
            Steps = reader.ReadStepList(json, "steps", path, required: true, allowEmpty: false),
        };
    }

    protected override IEnumerable<NodePart> PartsOf(LoopStep step)
    {
        yield return new StepsPart(step.Steps);
        if (step.Until is { } until)
        {
            yield return new ExpressionPart($"{step.JsonPath}.until", until, Sight.Body);
        }

        if (step.While is { } @while)
        {
            yield return new ExpressionPart($"{step.JsonPath}.while", @while, Sight.Body);
        }
    }

    protected override Outcome StartNode(LoopStep step, string path, JsonNode? input, Scope scope, RunContext context, out LoopState? state)
    {
        var running = new LoopState { Path = path, StartedAt = context.Now, Body = new SequenceFrame { Last = input?.DeepClone() } };
        state = running;
        return Continue(step, running, scope, context, SequenceRunner.Advance(step.Steps, BodyScope(scope, running), context));
    }

    protected override Outcome DeliverNode(LoopStep step, LoopState state, Scope scope, RunContext context, RunEvent @event)
    {
        var outcome = SequenceRunner.Deliver(step.Steps, BodyScope(scope, state), context, @event);
        return outcome.Handled ? Continue(step, state, scope, context, outcome) : Outcome.NotFound;
    }

    private static Outcome Continue(LoopStep loop, LoopState state, Scope scope, RunContext context, Outcome outcome)
    {
        while (outcome.Kind == OutcomeKind.Completed)
        {
            bool again;
            try
            {
                var evaluation = BodyScope(scope, state).ToEvaluation(context.State.Input);
                again = loop.Until is not null
                    ? !context.Expressions.IsTrue(loop.Until, evaluation)
                    : context.Expressions.IsTrue(loop.While!, evaluation);
            }
            catch (ExpressionException ex)
            {
                return Outcome.Fail(StepError.Expression(ex.Message));
            }

            if (!again)
            {
                return outcome;
            }

            if (state.Iteration >= loop.MaxIterations)
            {
                return Outcome.Fail(new StepError(ErrorTypes.MaxIterations,
                    $"loop '{loop.Id}' was still going after maxIterations ({loop.MaxIterations}) iterations"));
            }

            state.Iteration++;
            state.Body = new SequenceFrame { Last = outcome.Output };
            outcome = SequenceRunner.Advance(loop.Steps, BodyScope(scope, state), context);
        }

        return outcome;
    }

    private static Scope BodyScope(Scope scope, LoopState state) =>
        scope.Child(state.Body, $"{state.Path}#{state.Iteration}.", iteration: state.Iteration);
}
