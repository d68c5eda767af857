using System.Collections.Concurrent;
using Jint;
using JsEngine = Jint.Engine;

namespace SagaWorkflows.Core.Expressions;

/// <summary>
/// Parses expressions once and caches the prepared scripts: definitions repeat the same few
/// expressions across thousands of runs and iterations.
/// </summary>
public static class ExpressionCompiler
{
    private const int MaxCached = 10_000;
    private static readonly ConcurrentDictionary<string, Prepared<Acornima.Ast.Script>> Cache = new(StringComparer.Ordinal);

    public static bool TryCompile(string expression, out Prepared<Acornima.Ast.Script> script, out string? error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (Cache.TryGetValue(expression, out script))
        {
            error = null;
            return true;
        }

        if (expression.Trim().Length == 0)
        {
            error = "the expression is empty";
            return false;
        }

        try
        {
            // Parenthesised so an object literal `{ a: 1 }` is an expression, not a block, and so a
            // statement list cannot sneak in: the text must be exactly one expression.
            script = JsEngine.PrepareScript("(" + expression + "\n)", strict: true);
        }
        catch (ScriptPreparationException ex) when (ex.InnerException is Acornima.ParseErrorException parseError)
        {
            // Jint wraps syntax errors; without this catch they escaped TryCompile as crashes.
            error = Describe(parseError, expression);
            return false;
        }
        catch (Exception ex) when (ex is Acornima.ParseErrorException or Jint.Runtime.JavaScriptException)
        {
            error = ex.Message;
            return false;
        }

        if (Cache.Count < MaxCached)
        {
            Cache.TryAdd(expression, script);
        }

        error = null;
        return true;
    }

    /// <summary>Locates the error in the user's text, not in the parenthesised text actually parsed.</summary>
    private static string Describe(Acornima.ParseErrorException error, string expression)
    {
        var description = error.Description.Length > 0
            ? char.ToLowerInvariant(error.Description[0]) + error.Description[1..]
            : "syntax error";
        var lines = expression.Split('\n').Length;
        if (error.LineNumber > lines)
        {
            return "unexpected end of expression";
        }

        // Acornima's column is 0-based; on line 1 the added "(" shifts it by one, which cancels out.
        var column = error.LineNumber == 1 ? error.Column : error.Column + 1;
        return lines == 1
            ? $"{description} at column {column}"
            : $"{description} at line {error.LineNumber}, column {column}";
    }

    public static Prepared<Acornima.Ast.Script> Compile(string expression) =>
        TryCompile(expression, out var script, out var error) ? script : throw new ExpressionException(expression, error!);
}
