using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Jint;
using JsEngine = Jint.Engine;

namespace SagaWorkflows.Core.Expressions;

/// <summary>
/// Parses expressions once and caches the prepared scripts: definitions repeat the same few
/// expressions across thousands of runs and iterations. The cache is bounded in entries and in the
/// size of what it keeps, so text chosen by whoever sends definitions cannot grow it without end.
/// </summary>
public static class ExpressionCompiler
{
    /// <summary>Brackets nested inside each other; deeper text is refused before the parser recurses into it.</summary>
    public const int MaxNesting = 64;

    /// <summary>Depth of the syntax tree; <c>1+1+…+1</c> or <c>!!…!x</c> nest without brackets.</summary>
    public const int MaxTreeDepth = 128;

    /// <summary>Up to this length a tree cannot be deep enough to threaten a thread's stack while it is prepared.</summary>
    private const int ShallowLength = 256;

    private const int MaxCached = 4096;

    /// <summary>Longer expressions are compiled each time: rare, and a prepared script is many times its text.</summary>
    private const int MaxCachedLength = 512;

    private static readonly ConcurrentDictionary<string, Prepared<Acornima.Ast.Script>> Cache = new(StringComparer.Ordinal);

    /// <summary>Expressions currently cached (for tests and diagnostics).</summary>
    internal static int CachedCount => Cache.Count;

    internal static bool IsCached(string expression) => Cache.ContainsKey(expression);

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

        if (NestingDepth(expression) > MaxNesting)
        {
            error = $"brackets nest deeper than {MaxNesting} levels";
            return false;
        }

        try
        {
            // Parenthesised so an object literal `{ a: 1 }` is an expression, not a block, and so a
            // statement list cannot sneak in: the text must be exactly one expression.
            script = Prepare("(" + expression + "\n)");
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
        catch (ScriptPreparationException ex)
        {
            // Jint's own bounds, e.g. "Script nesting exceeds maximum depth of 256 levels".
            error = (ex.InnerException ?? ex).Message.TrimEnd('.');
            return false;
        }
        catch (Exception ex) when (ex is InsufficientExecutionStackException || ex.InnerException is InsufficientExecutionStackException)
        {
            error = "the expression nests too deeply to parse";
            return false;
        }

        if (script.Program is { } program && TreeDepth(program) > MaxTreeDepth)
        {
            // Evaluating it would recurse as deep, on whatever stack the caller has.
            error = $"the expression nests deeper than {MaxTreeDepth} levels";
            return false;
        }

        if (expression.Length <= MaxCachedLength)
        {
            if (Cache.Count >= MaxCached)
            {
                // Starting over keeps the bound simple; the expressions in use come back on their next call.
                Cache.Clear();
            }

            Cache.TryAdd(expression, script);
        }

        error = null;
        return true;
    }

    /// <summary>
    /// Preparing recurses once per level of the tree. A long expression may be thousands of levels deep
    /// (<c>1+1+…</c>), which would overflow an ordinary thread's stack and end the process, so it is prepared
    /// on a thread whose stack holds the deepest tree the length allows; its depth is refused afterwards.
    /// </summary>
    private static Prepared<Acornima.Ast.Script> Prepare(string code)
    {
        if (code.Length <= ShallowLength)
        {
            return JsEngine.PrepareScript(code, strict: true);
        }

        Prepared<Acornima.Ast.Script> prepared = default;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                prepared = JsEngine.PrepareScript(code, strict: true);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        }, maxStackSize: Math.Max(16, code.Length / 64) * 1024 * 1024)
        {
            IsBackground = true,
            Name = "sagawf-expression-compiler",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return prepared;
    }

    /// <summary>The depth of the syntax tree, walked without recursion.</summary>
    internal static int TreeDepth(Acornima.Ast.Node root)
    {
        var deepest = 0;
        var pending = new Stack<(Acornima.Ast.Node Node, int Depth)>();
        pending.Push((root, 1));
        while (pending.TryPop(out var entry))
        {
            deepest = Math.Max(deepest, entry.Depth);
            foreach (var child in entry.Node.ChildNodes)
            {
                if (child is not null)
                {
                    pending.Push((child, entry.Depth + 1));
                }
            }
        }

        return deepest;
    }

    /// <summary>The deepest nesting of (), [] and {} outside string literals.</summary>
    internal static int NestingDepth(string expression)
    {
        int depth = 0, deepest = 0;
        foreach (var i in CodePositions(expression, 0))
        {
            switch (expression[i])
            {
                case '(' or '[' or '{':
                    deepest = Math.Max(deepest, ++depth);
                    break;
                case ')' or ']' or '}':
                    depth--;
                    break;
            }
        }

        return deepest;
    }

    /// <summary>
    /// The positions from <paramref name="start"/> on that are code, not inside a '…', "…" or `…` literal
    /// (the quotes themselves are not code either); what the bracket scanners of expressions and templates share.
    /// </summary>
    internal static IEnumerable<int> CodePositions(string text, int start)
    {
        var quote = '\0';
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"' or '`')
            {
                quote = c;
            }
            else
            {
                yield return i;
            }
        }
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
