using SagaWorkflows.Contracts;
using Spectre.Console;

namespace SagaWorkflows.Cli.Rendering;

/// <summary>
/// The steps of a finished run as a tree, drawn from its <see cref="RunSnapshot"/>: <c>ship.makeLabel</c> is inside
/// <c>ship</c>; <c>perItem[2].charge</c> inside iteration <c>[2]</c> of <c>perItem</c>; <c>poll#3.check</c> inside
/// iteration <c>#3</c> of <c>poll</c>.
/// </summary>
internal static class SummaryTree
{
    public static Tree Build(RunSnapshot run)
    {
        var tree = new Tree(Header(run)) { Guide = TreeGuide.Line };
        Add(tree, run.Steps);
        return tree;
    }

    private static void Add(IHasTreeNodes parent, IReadOnlyList<StepSnapshot> steps)
    {
        foreach (var step in steps)
        {
            // An iteration is not a step of its own: it hangs under its step, named by its suffix.
            var node = parent.AddNode(step.Kind == StepKinds.Iteration ? $"[grey]{Markup.Escape(step.Label)}[/]" : Label(step));
            Add(node, step.Children);
        }
    }

    private static string Header(RunSnapshot run)
    {
        var (symbol, colour, outcome) = run.Outcome switch
        {
            LifecycleEventTypes.WorkflowComplete => ("✔", "green", "completed"),
            LifecycleEventTypes.WorkflowError => ("✖", "red", "failed"),
            LifecycleEventTypes.WorkflowCancelled => ("⊘", "yellow", "cancelled"),
            _ => ("…", "blue", "running"),
        };
        var status = EndStatus(run) is { } s ? $" ({s})" : "";
        var took = run.Outcome is not null ? $" in {EventRenderer.Duration(run.DurationMs)}" : "";
        var steps = Flatten(run.Steps).Where(s => s.Kind == StepKinds.Step).ToList();
        var retries = steps.Sum(s => s.Retries.Count);
        var compensated = steps.Count(s => s.Compensation == CompensationStatus.Compensated);
        var counts = $"{steps.Count} step{(steps.Count == 1 ? "" : "s")} · {retries} retr{(retries == 1 ? "y" : "ies")} · {compensated} compensated";
        return $"[{colour}]{symbol} {Markup.Escape(run.WorkflowId)} {outcome}{Markup.Escape(status)}[/]{Markup.Escape(took)} [grey]· {counts} · run {run.RunId}[/]";
    }

    /// <summary>How the orchestrator names the end of a run that did not complete: its compensation's outcome, if it undid any step.</summary>
    private static string? EndStatus(RunSnapshot run) => run.Outcome is null or LifecycleEventTypes.WorkflowComplete
        ? null
        : run.Compensation == CompensationStatus.Compensated ? nameof(RunStatus.Compensated) : run.Status.ToString();

    private static IEnumerable<StepSnapshot> Flatten(IEnumerable<StepSnapshot> steps) =>
        steps.SelectMany(s => Flatten(s.Children).Prepend(s));

    private static string Label(StepSnapshot step)
    {
        var (symbol, colour) = step.Status switch
        {
            StepStatus.Completed => ("✔", "green"),
            StepStatus.Failed => ("✖", "red"),
            StepStatus.Waiting => ("⏸", "aqua"),
            StepStatus.Stopped => ("⊘", "yellow"),
            _ => ("…", "blue"),
        };
        var facts = new List<string>();
        if (step.Type is { } type)
        {
            facts.Add(type);
        }

        if (step.Attempts > 1)
        {
            facts.Add($"{step.Attempts} attempts");
        }

        if (step.DurationMs is { } duration)
        {
            facts.Add(EventRenderer.Duration(duration));
        }

        if (step.Status == StepStatus.Stopped)
        {
            facts.Add("stopped");
        }

        if (step.Compensation == CompensationStatus.Compensated)
        {
            facts.Add("compensated");
        }

        var label = $"[{colour}]{symbol} {Markup.Escape(step.Label)}[/] [grey]{Markup.Escape(string.Join(" · ", facts))}[/]";
        return step.Status == StepStatus.Failed && step.Error is { } error
            ? $"{label} [red]{Markup.Escape(EventRenderer.ErrorText(error))}[/]"
            : label;
    }
}
