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

    public static Prepared<Acornima.Ast.Script> Compile(string expression) =>
        TryCompile(expression, out var script, out var error) ? script : throw new ExpressionException(expression, error!);
}
