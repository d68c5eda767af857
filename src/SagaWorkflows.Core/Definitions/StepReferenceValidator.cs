using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Definitions;

/// <summary>
/// Reports every expression that reads <c>steps.&lt;id&gt;</c> of a step that does not exist, or that cannot
/// have completed before the expression runs — a later step, a step of another parallel branch, itself, a step
/// nested inside a container that has finished (only the container's own output remains visible). At run time
/// such a read is <c>undefined</c>, a mistake found only when the run goes wrong.
/// </summary>
/// <remarks>
/// Visibility follows the engine's scopes: a step sees the steps before it in its own list and in every list
/// that encloses it; a compensation's input also sees its own step; a loop's test sees its body; the
/// workflow's <c>output</c> sees the top-level steps. Reads by a computed name (<c>steps[x]</c>) are not checked.
/// </remarks>
internal static class StepReferenceValidator
{
    /// <param name="root">The definition's JSON.</param>
    /// <param name="known">Problems already found: a field with one (an expression that does not parse) is not checked again.</param>
    public static IEnumerable<ValidationError> Check(JsonNode? root, IReadOnlyList<ValidationError> known)
    {
        if (root is not JsonObject workflow)
        {
            return [];
        }

        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        CollectIds(workflow["steps"], "$.steps", declared);
        var errors = new List<ValidationError>();
        var topLevel = CheckList(workflow["steps"], "$.steps", new HashSet<string>(StringComparer.Ordinal), declared, errors);
        CheckTemplates(workflow["output"], "$.output", topLevel, declared, errors);
        return errors.Where(e => !known.Any(k => k.Path == e.Path)).ToList();
    }

    /// <returns>The ids the list makes visible to what follows it (its own steps', not their insides).</returns>
    private static HashSet<string> CheckList(JsonNode? list, string path, HashSet<string> outer, Dictionary<string, string> declared, List<ValidationError> errors)
    {
        var visible = new HashSet<string>(outer, StringComparer.Ordinal);
        var own = new HashSet<string>(StringComparer.Ordinal);
        if (list is not JsonArray steps)
        {
            return own;
        }

        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is not JsonObject step)
            {
                continue;
            }

            var stepPath = $"{path}[{i}]";
            CheckStep(step, stepPath, visible, declared, errors);
            if (IdOf(step) is { } id)
            {
                visible.Add(id);
                own.Add(id);
            }
        }

        return visible;
    }

    private static void CheckStep(JsonObject step, string path, HashSet<string> visible, Dictionary<string, string> declared, List<ValidationError> errors)
    {
        switch (Text(step["type"]))
        {
            case StepTypes.Tool:
                CheckTemplates(step["input"], $"{path}.input", visible, declared, errors);
                if (step["compensate"] is JsonObject compensate)
                {
                    var withSelf = new HashSet<string>(visible, StringComparer.Ordinal);
                    if (IdOf(step) is { } id)
                    {
                        withSelf.Add(id);
                    }

                    CheckTemplates(compensate["input"], $"{path}.compensate.input", withSelf, declared, errors);
                }

                break;
            case StepTypes.Ai:
                CheckTemplates(step["system"], $"{path}.system", visible, declared, errors);
                CheckTemplates(step["prompt"], $"{path}.prompt", visible, declared, errors);
                break;
            case StepTypes.Parallel:
                if (step["branches"] is JsonObject branches)
                {
                    foreach (var (name, branch) in branches)
                    {
                        CheckList(branch, $"{path}.branches{WorkflowDefinitionParser.PropertyPath(name)}", visible, declared, errors);
                    }
                }

                break;
            case StepTypes.Foreach:
                CheckExpression(Text(step["items"]), $"{path}.items", visible, declared, errors);
                CheckList(step["steps"], $"{path}.steps", visible, declared, errors);
                break;
            case StepTypes.Loop:
                var body = CheckList(step["steps"], $"{path}.steps", visible, declared, errors);
                CheckExpression(Text(step["until"]), $"{path}.until", body, declared, errors);
                CheckExpression(Text(step["while"]), $"{path}.while", body, declared, errors);
                break;
            case StepTypes.Branch:
                if (step["cases"] is JsonArray cases)
                {
                    for (var i = 0; i < cases.Count; i++)
                    {
                        if (cases[i] is JsonObject branchCase)
                        {
                            CheckExpression(Text(branchCase["when"]), $"{path}.cases[{i}].when", visible, declared, errors);
                            CheckList(branchCase["steps"], $"{path}.cases[{i}].steps", visible, declared, errors);
                        }
                    }
                }

                CheckList(step["default"], $"{path}.default", visible, declared, errors);
                break;
        }
    }

    private static void CheckTemplates(JsonNode? node, string path, HashSet<string> visible, Dictionary<string, string> declared, List<ValidationError> errors)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    CheckTemplates(child, $"{path}{WorkflowDefinitionParser.PropertyPath(name)}", visible, declared, errors);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    CheckTemplates(array[i], $"{path}[{i}]", visible, declared, errors);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                if (Template.TryParse(value.GetValue<string>(), out var template, out _))
                {
                    foreach (var part in template!.Parts.Where(p => p.IsExpression))
                    {
                        CheckExpression(part.Text, path, visible, declared, errors);
                    }
                }

                break;
        }
    }

    private static void CheckExpression(string? expression, string path, HashSet<string> visible, Dictionary<string, string> declared, List<ValidationError> errors)
    {
        if (expression is null)
        {
            return;
        }

        foreach (var id in StepReferences.NamedReads(expression).Distinct(StringComparer.Ordinal))
        {
            if (visible.Contains(id))
            {
                continue;
            }

            errors.Add(new ValidationError(path, declared.TryGetValue(id, out var at)
                ? $"reads steps.{id}, but step '{id}' (at {at}) cannot have completed before this expression runs: only earlier steps of the same or an enclosing list are visible, and a container's output, not its inner steps"
                : $"reads steps.{id}, but there is no step '{id}'"));
        }
    }

    private static void CollectIds(JsonNode? node, string path, Dictionary<string, string> declared)
    {
        switch (node)
        {
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonObject step)
                    {
                        var stepPath = $"{path}[{i}]";
                        if (IdOf(step) is { } id)
                        {
                            declared.TryAdd(id, stepPath);
                        }

                        CollectIds(step["steps"], $"{stepPath}.steps", declared);
                        CollectIds(step["default"], $"{stepPath}.default", declared);
                        if (step["branches"] is JsonObject branches)
                        {
                            foreach (var (name, branch) in branches)
                            {
                                CollectIds(branch, $"{stepPath}.branches{WorkflowDefinitionParser.PropertyPath(name)}", declared);
                            }
                        }

                        if (step["cases"] is JsonArray cases)
                        {
                            for (var c = 0; c < cases.Count; c++)
                            {
                                if (cases[c] is JsonObject branchCase)
                                {
                                    CollectIds(branchCase["steps"], $"{stepPath}.cases[{c}].steps", declared);
                                }
                            }
                        }
                    }
                }

                break;
        }
    }

    private static string? IdOf(JsonObject step) => Text(step["id"]);

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
