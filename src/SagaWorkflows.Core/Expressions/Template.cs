using System.Text;

namespace SagaWorkflows.Core.Expressions;

/// <summary>
/// A string of a definition that may hold <c>${ expr }</c>: exactly one placeholder makes a typed
/// value, placeholders inside longer text are interpolated.
/// </summary>
public sealed class Template
{
    private Template(IReadOnlyList<TemplatePart> parts) => Parts = parts;

    public IReadOnlyList<TemplatePart> Parts { get; }

    /// <summary>True when the whole string is one placeholder: its value keeps its JSON type.</summary>
    public bool IsSingleExpression => Parts is [{ IsExpression: true }];

    public bool HasExpressions => Parts.Any(p => p.IsExpression);

    public static bool TryParse(string text, out Template? template, out string? error) =>
        TryParse(text, int.MaxValue, out template, out error);

    /// <summary>Parses <paramref name="text"/>, refusing any placeholder longer than <paramref name="maxExpressionLength"/>.</summary>
    public static bool TryParse(string text, int maxExpressionLength, out Template? template, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<TemplatePart>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = FindClosingBrace(text, i + 2);
                if (end < 0)
                {
                    template = null;
                    error = $"unterminated '${{' at position {i + 1}";
                    return false;
                }

                var code = text[(i + 2)..end].Trim();
                if (code.Length > maxExpressionLength)
                {
                    template = null;
                    error = $"the expression at position {i + 1} is {code.Length} characters long; the limit is {maxExpressionLength} (SagaWorkflows:Limits:MaxExpressionLength)";
                    return false;
                }

                if (!ExpressionCompiler.TryCompile(code, out _, out var compileError))
                {
                    template = null;
                    error = $"invalid expression `{(code.Length <= 120 ? code : code[..60] + "…")}`: {compileError}";
                    return false;
                }

                if (literal.Length > 0)
                {
                    parts.Add(new TemplatePart(literal.ToString(), false));
                    literal.Clear();
                }

                parts.Add(new TemplatePart(code, true));
                i = end + 1;
                continue;
            }

            literal.Append(text[i]);
            i++;
        }

        if (literal.Length > 0)
        {
            parts.Add(new TemplatePart(literal.ToString(), false));
        }

        // "  ${ x }  " is still the typed value: surrounding blanks are layout, not content.
        if (parts.Count > 1 && parts.Count(p => p.IsExpression) == 1 && parts.All(p => p.IsExpression || string.IsNullOrWhiteSpace(p.Text)))
        {
            parts.RemoveAll(p => !p.IsExpression);
        }

        template = new Template(parts);
        error = null;
        return true;
    }

    public static Template Parse(string text) =>
        TryParse(text, out var template, out var error) ? template! : throw new ExpressionException(text, error!);

    /// <summary>Condition fields are bare expressions; accept <c>"${ expr }"</c> there too.</summary>
    public static string StripDelimiters(string expression)
    {
        var trimmed = expression.Trim();
        return trimmed.StartsWith("${", StringComparison.Ordinal) && trimmed.EndsWith('}') && FindClosingBrace(trimmed, 2) == trimmed.Length - 1
            ? trimmed[2..^1].Trim()
            : expression;
    }

    private static int FindClosingBrace(string text, int start)
    {
        var depth = 0;
        foreach (var i in ExpressionCompiler.CodePositions(text, start))
        {
            switch (text[i])
            {
                case '{':
                    depth++;
                    break;
                case '}' when depth == 0:
                    return i;
                case '}':
                    depth--;
                    break;
            }
        }

        return -1;
    }
}

public sealed record TemplatePart(string Text, bool IsExpression);
