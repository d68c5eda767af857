using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SagaWorkflows.Core.Expressions;

/// <summary>
/// The most common expression is a bare path into the scope — <c>item</c>, <c>input.customer.id</c>,
/// <c>steps.fetch.body</c> — and for those a JavaScript engine is pure cost (creating one is most of a templated
/// transition). This resolves such a path directly, and only when the answer is certain to be exactly what the
/// sandbox would give: every segment an own property of a JSON object, and a value that survives a JavaScript
/// JSON round trip unchanged (no integer-like object keys, which JavaScript reorders; no numbers it would
/// rewrite, like <c>1.0</c> or <c>1e3</c>). Anything else — a missing property, an array's <c>length</c>, a method
/// — is left to the sandbox, which also produces its errors.
/// </summary>
internal static partial class PathExpression
{
    public static bool TryResolve(string expression, EvaluationScope scope, out JsonNode? value)
    {
        value = null;
        expression = expression.Trim();
        if (expression.Length > 256 || !BarePath().IsMatch(expression))
        {
            return false;
        }

        var segments = expression.Split('.');
        JsonNode? current;
        var next = 1;
        switch (segments[0])
        {
            case "input":
                current = scope.Input;
                break;
            case "item":
                current = scope.Item;
                break;
            case "steps":
                if (segments.Length < 2 || !scope.Steps.TryGetValue(segments[1], out current))
                {
                    return false;
                }

                next = 2;
                break;
            default:
                return false;
        }

        for (var i = next; i < segments.Length; i++)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segments[i], out current))
            {
                return false;
            }
        }

        if (!SurvivesJavaScript(current))
        {
            return false;
        }

        value = current?.DeepClone();
        return true;
    }

    private static bool SurvivesJavaScript(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return true;
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    if (IntegerLike().IsMatch(key) || !SurvivesJavaScript(child))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (!SurvivesJavaScript(child))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return node.GetValueKind() switch
                {
                    JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => true,
                    JsonValueKind.Number => NumberSurvives(node.ToJsonString()),
                    _ => false,
                };
        }
    }

    /// <summary>JavaScript prints a number as .NET's shortest round-trip form does, except in exponent ranges and for -0.</summary>
    private static bool NumberSurvives(string text)
    {
        if (!PlainNumber().IsMatch(text) || text == "-0" ||
            !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var magnitude = Math.Abs(number);
        return (magnitude == 0 ? text == "0" : magnitude is >= 1e-6 and < 1e15)
            && number.ToString("R", CultureInfo.InvariantCulture) == text;
    }

    [GeneratedRegex(@"^(input|item|steps)(\.[A-Za-z_$][A-Za-z0-9_$]*)*$")]
    private static partial Regex BarePath();

    [GeneratedRegex(@"^[0-9]+$")]
    private static partial Regex IntegerLike();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")]
    private static partial Regex PlainNumber();
}
