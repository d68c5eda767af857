using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SagaWorkflows.Core.Nodes;

namespace SagaWorkflows.Core.Definitions;

/// <summary>
/// Which step outputs a definition's expressions can read. A run keeps only those in its state, so a
/// long run's state, and with it the per-step cost of loading and saving it, does not grow with
/// outputs nobody reads. Any use of <c>steps</c> other than <c>steps.id</c> or <c>steps['id']</c>
/// (passing it whole, indexing with a variable) keeps every output.
/// </summary>
public static partial class StepReferences
{
    private static readonly ConditionalWeakTable<WorkflowDefinition, HashSet<string>?> Cache = [];

    [GeneratedRegex(@"\bsteps\b")]
    private static partial Regex AnyUse();

    [GeneratedRegex(@"\bsteps\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(['""])([^'""]*)\2\s*\])")]
    private static partial Regex NamedUse();

    /// <summary>True when an expression of the definition may read <c>steps.&lt;id&gt;</c>.</summary>
    public static bool IsReferenced(WorkflowDefinition workflow, string stepId)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var referenced = Cache.GetValue(workflow, Analyse);
        return referenced is null || referenced.Contains(stepId);
    }

    /// <summary>The ids an expression reads by name (<c>steps.id</c>, <c>steps['id']</c>).</summary>
    internal static IEnumerable<string> NamedReads(string expression) =>
        NamedUse().Matches(expression).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Value);

    /// <returns>The ids read by name, or null when <c>steps</c> is used in a way that may read any.</returns>
    private static HashSet<string>? Analyse(WorkflowDefinition workflow)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in Texts(workflow))
        {
            var named = NamedUse().Matches(text);
            if (AnyUse().Count(text) != named.Count)
            {
                return null;
            }

            foreach (Match match in named)
            {
                ids.Add(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[3].Value);
            }
        }

        return ids;
    }

    private static IEnumerable<string> Texts(WorkflowDefinition workflow) =>
        Strings(workflow.Output).Concat(workflow.Steps.SelectMany(StepTexts));

    private static IEnumerable<string> StepTexts(StepDefinition step) =>
        NodeTypes.Of(step).Parts(step).SelectMany(part => part switch
        {
            StepsPart steps => steps.Steps.SelectMany(StepTexts),
            ExpressionPart expression => [expression.Expression],
            TemplateValuePart template => Strings(template.Template),
            _ => throw new InvalidOperationException($"a {step.Type} step has a part of unknown kind {part.GetType().Name}"),
        });

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        null => [],
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };
}
