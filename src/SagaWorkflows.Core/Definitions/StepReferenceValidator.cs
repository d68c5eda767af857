using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Core.Expressions;
using SagaWorkflows.Core.Nodes;

namespace SagaWorkflows.Core.Definitions;

/// <summary>
/// Reports every expression that reads <c>steps.&lt;id&gt;</c> of a step that does not exist, or that cannot
/// have completed before the expression runs — a later step, a step of another parallel branch, itself, a step
/// nested inside a container that has finished (only the container's own output remains visible). At run time
/// such a read is <c>undefined</c>, a mistake found only when the run goes wrong.
/// </summary>
/// <remarks>
/// Visibility follows the engine's scopes: a step sees the steps before it in its own list and in every list
/// that encloses it; what else an expression sees is said by its node type (<see cref="Sight"/>: a compensation's
/// input also sees its own step, a loop's test sees its body); the workflow's <c>output</c> sees the top-level
/// steps. Reads by a computed name (<c>steps[x]</c>) are not checked, nor reads of a step that could not be read.
/// </remarks>
internal static class StepReferenceValidator
{
    /// <param name="root">The definition's JSON (for its <c>output</c>).</param>
    /// <param name="reader">What was read of it: the steps, their ids, and the problems already found — a field
    /// with one (an expression that does not parse) is not checked again.</param>
    public static IEnumerable<ValidationError> Check(JsonNode? root, DefinitionReader reader)
    {
        if (root is not JsonObject workflow)
        {
            return [];
        }

        var check = new Checker(reader.Ids, reader.Unread, reader.Incomplete);
        var topLevel = check.List(reader.Steps, new HashSet<string>(StringComparer.Ordinal));
        check.Templates(workflow["output"], "$.output", topLevel);
        return check.Errors.Where(e => !reader.Errors.Any(k => k.Path == e.Path)).ToList();
    }

    /// <param name="incomplete">Steps were left unread (the definition is refused for its size): an unknown id may be one of theirs.</param>
    private sealed class Checker(IReadOnlyDictionary<string, string> declared, IReadOnlySet<string> unread, bool incomplete)
    {
        public List<ValidationError> Errors { get; } = [];

        /// <returns>The ids visible after the list: the enclosing ones and its own steps' (not their insides).</returns>
        public HashSet<string> List(IReadOnlyList<StepDefinition> steps, HashSet<string> outer)
        {
            var visible = new HashSet<string>(outer, StringComparer.Ordinal);
            foreach (var step in steps)
            {
                Step(step, visible);
                visible.Add(step.Id);
            }

            return visible;
        }

        private void Step(StepDefinition step, HashSet<string> visible)
        {
            var body = visible;
            foreach (var part in NodeTypes.Of(step).Parts(step))
            {
                switch (part)
                {
                    case StepsPart steps:
                        body = List(steps.Steps, visible);
                        break;
                    case ExpressionPart expression:
                        Expression(expression.Expression, expression.Path, Seen(expression.Sees, step, visible, body));
                        break;
                    case TemplateValuePart template:
                        Templates(template.Template, template.Path, Seen(template.Sees, step, visible, body));
                        break;
                }
            }
        }

        private static HashSet<string> Seen(Sight sight, StepDefinition step, HashSet<string> visible, HashSet<string> body) => sight switch
        {
            Sight.BeforeAndSelf => new HashSet<string>(visible, StringComparer.Ordinal) { step.Id },
            Sight.Body => body,
            _ => visible,
        };

        public void Templates(JsonNode? node, string path, HashSet<string> visible)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (name, child) in obj)
                    {
                        Templates(child, $"{path}{WorkflowDefinitionParser.PropertyPath(name)}", visible);
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        Templates(array[i], $"{path}[{i}]", visible);
                    }

                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    if (Template.TryParse(value.GetValue<string>(), out var template, out _))
                    {
                        foreach (var part in template!.Parts.Where(p => p.IsExpression))
                        {
                            Expression(part.Text, path, visible);
                        }
                    }

                    break;
            }
        }

        private void Expression(string expression, string path, HashSet<string> visible)
        {
            foreach (var id in StepReferences.NamedReads(expression).Distinct(StringComparer.Ordinal))
            {
                if (visible.Contains(id) || unread.Contains(id) || (incomplete && !declared.ContainsKey(id)))
                {
                    continue;
                }

                Errors.Add(new ValidationError(path, declared.TryGetValue(id, out var at)
                    ? $"reads steps.{id}, but step '{id}' (at {at}) cannot have completed before this expression runs: only earlier steps of the same or an enclosing list are visible, and a container's output, not its inner steps"
                    : $"reads steps.{id}, but there is no step '{id}'"));
            }
        }
    }
}
