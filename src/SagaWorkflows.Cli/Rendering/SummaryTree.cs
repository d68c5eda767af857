using System.Text.RegularExpressions;
using SagaWorkflows.Contracts;
using Spectre.Console;

namespace SagaWorkflows.Cli.Rendering;

/// <summary>
/// The steps of a finished run as a tree. Paths give the nesting: <c>ship.makeLabel</c> is inside
/// <c>ship</c>; <c>perItem[2].charge</c> inside iteration <c>[2]</c> of <c>perItem</c>; <c>poll#3.check</c>
/// inside iteration <c>#3</c> of <c>poll</c>.
/// </summary>
internal static partial class SummaryTree
{
    [GeneratedRegex(@"^(?<step>.+?)(?<iteration>\[\d+\]|#\d+)$")]
    private static partial Regex IterationPath();

    public static Tree Build(RunView run)
    {
        var tree = new Tree(Header(run)) { Guide = TreeGuide.Line };
        var nodes = new Dictionary<string, IHasTreeNodes>(StringComparer.Ordinal);
        foreach (var step in run.Steps)
        {
            nodes[step.Path] = ParentOf(tree, nodes, step.Path).AddNode(Label(step));
        }

        return tree;
    }

    private static IHasTreeNodes ParentOf(Tree tree, Dictionary<string, IHasTreeNodes> nodes, string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? tree : NodeFor(tree, nodes, path[..dot]);
    }

    /// <summary>The node of a container or iteration path, created when its own event was never seen.</summary>
    private static IHasTreeNodes NodeFor(Tree tree, Dictionary<string, IHasTreeNodes> nodes, string path)
    {
        if (nodes.TryGetValue(path, out var existing))
        {
            return existing;
        }

        // An iteration ("perItem[2]", "poll#3") is not a step of its own: it hangs under its step.
        TreeNode node;
        if (IterationPath().Match(path) is { Success: true } match)
        {
            node = NodeFor(tree, nodes, match.Groups["step"].Value).AddNode($"[grey]{Markup.Escape(match.Groups["iteration"].Value)}[/]");
        }
        else
        {
            node = ParentOf(tree, nodes, path).AddNode(Markup.Escape(path[(path.LastIndexOf('.') + 1)..]));
        }

        nodes[path] = node;
        return node;
    }

    private static string Header(RunView run)
    {
        var (symbol, colour, outcome) = run.Outcome switch
        {
            LifecycleEventTypes.WorkflowComplete => ("✔", "green", "completed"),
            LifecycleEventTypes.WorkflowError => ("✖", "red", "failed"),
            LifecycleEventTypes.WorkflowCancelled => ("⊘", "yellow", "cancelled"),
            _ => ("…", "blue", "running"),
        };
        var status = run.Status is { } s ? $" ({s})" : "";
        var took = run.EndedAt is { } end ? $" in {EventRenderer.Duration(end - run.StartedAt)}" : "";
        var leaves = run.Steps.Count;
        var retries = run.Steps.Sum(s => s.Retries);
        var compensated = run.Steps.Count(s => s.Compensated);
        var counts = $"{leaves} step{(leaves == 1 ? "" : "s")} · {retries} retr{(retries == 1 ? "y" : "ies")} · {compensated} compensated";
        return $"[{colour}]{symbol} {Markup.Escape(run.WorkflowId)} {outcome}{Markup.Escape(status)}[/]{Markup.Escape(took)} [grey]· {counts} · run {run.RunId}[/]";
    }

    private static string Label(StepView step)
    {
        var (symbol, colour) = step.State switch
        {
            StepState.Completed => ("✔", "green"),
            StepState.Failed => ("✖", "red"),
            StepState.Waiting => ("⏸", "aqua"),
            StepState.Stopped => ("⊘", "yellow"),
            _ => ("…", "blue"),
        };
        var name = step.Path[(step.Path.LastIndexOf('.') + 1)..];
        var facts = new List<string>();
        if (step.StepType is { } type)
        {
            facts.Add(type);
        }

        if (step.Attempts > 1)
        {
            facts.Add($"{step.Attempts} attempts");
        }

        if (step.Duration is { } duration)
        {
            facts.Add(EventRenderer.Duration(duration));
        }

        if (step.State == StepState.Stopped)
        {
            facts.Add("stopped");
        }

        if (step.Compensated)
        {
            facts.Add("compensated");
        }

        var label = $"[{colour}]{symbol} {Markup.Escape(name)}[/] [grey]{Markup.Escape(string.Join(" · ", facts))}[/]";
        return step.Error is { } error ? $"{label} [red]{Markup.Escape(error)}[/]" : label;
    }
}
