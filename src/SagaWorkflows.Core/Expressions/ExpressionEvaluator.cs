using System.Text;
using System.Text.Json.Nodes;
using Jint;
using Jint.Constraints;
using JsEngine = Jint.Engine;
using Jint.Native;
using Jint.Native.Json;
using Jint.Runtime;

namespace SagaWorkflows.Core.Expressions;

/// <summary>
/// Evaluates definition expressions in a Jint sandbox: no CLR access, bounded time, statements,
/// memory and recursion. One evaluator serves one engine transition (not thread-safe), so state
/// an expression leaves on the global object never reaches another run.
/// </summary>
/// <remarks>
/// One guard covers an evaluation from binding its globals to converting its result to JSON: the
/// conversion runs script too (getters, <c>toJSON</c>, Proxy traps) and fails in its own ways (BigInt,
/// cycles, depth), so one time budget spans both, and every failure but a fatal runtime error becomes an
/// <see cref="ExpressionException"/>, which the engine turns into the step's or run's failure.
/// </remarks>
public sealed class ExpressionEvaluator
{
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(1);
    public const int StatementLimit = 100_000;
    public const long MemoryLimitBytes = 32 * 1024 * 1024;
    public const int RecursionLimit = 64;

    /// <summary>Characters of an expression's result as JSON: what a step input or output can carry.</summary>
    public const int ResultLimit = 4 * 1024 * 1024;

    private JsEngine? _engine;
    private EvaluationScope? _bound;
    private BoundGlobals _boundGlobals;
    private readonly OperationDeadlineConstraint _deadline = new();

    /// <summary>
    /// Built-ins that make a huge string in one native call run past every statement-based check (a 2^28
    /// <c>repeat</c> took seconds beyond the time limit): bounded up front to what a result may hold.
    /// </summary>
    private static readonly Prepared<Acornima.Ast.Script> BoundedBuiltIns = JsEngine.PrepareScript($$"""
        (() => {
          const max = {{ResultLimit}};
          const bound = (name, size) => {
            const original = String.prototype[name];
            Object.defineProperty(String.prototype, name, {
              value: function (...args) {
                if (size(String(this), args) > max) throw new RangeError('Invalid string length: more than ' + max + ' characters');
                return original.apply(this, args);
              },
              writable: true, configurable: true,
            });
          };
          bound('repeat', (text, args) => text.length * Number(args[0]));
          bound('padStart', (text, args) => Number(args[0]));
          bound('padEnd', (text, args) => Number(args[0]));
        })()
        """, strict: true);

    private JsEngine Engine => _engine ??= CreateEngine();

    private JsEngine CreateEngine()
    {
        var engine = NewEngine();
        engine.Execute(BoundedBuiltIns);
        return engine;
    }

    private JsEngine NewEngine() => new(options =>
    {
        options
            .Strict()
            .MaxStatements(StatementLimit)
            .LimitMemory(MemoryLimitBytes)
            .LimitRecursion(RecursionLimit)
            .Constraint(_deadline);

        // Jint's own default is 10 s per match, ten times the expression's whole budget.
        options.Constraints.RegexTimeout = TimeLimit;

        // A native stack overflow ends the process; with the guard it is a catchable RangeError.
        options.Constraints.StackOverflowGuard = true;

        // Array(1e9).join() would build its text in one native call, like repeat.
        options.Constraints.MaxArraySize = 1_000_000;
    });

    /// <summary>Evaluates a bare expression to a JSON value (undefined becomes null).</summary>
    public JsonNode? Evaluate(string expression, EvaluationScope scope)
    {
        return Value(Template.StripDelimiters(expression), scope);
    }

    /// <summary>Whether this evaluator has needed a JavaScript engine so far (bare paths do not).</summary>
    internal bool StartedEngine => _engine is not null;

    /// <summary>Evaluates a condition with JavaScript truthiness.</summary>
    public bool IsTrue(string expression, EvaluationScope scope)
    {
        var bare = Template.StripDelimiters(expression);
        return Guarded(bare, () => TypeConverter.ToBoolean(Run(bare, scope)));
    }

    /// <summary>Renders a template value: objects and arrays recursively, strings with <c>${ }</c>.</summary>
    public JsonNode? Render(JsonNode? template, EvaluationScope scope) => template switch
    {
        null => null,
        JsonObject obj => RenderObject(obj, scope),
        JsonArray array => new JsonArray(array.Select(e => Render(e, scope)).ToArray()),
        JsonValue value when value.TryGetValue<string>(out var text) => RenderString(text, scope),
        _ => template.DeepClone(),
    };

    /// <summary>Renders a template to text (prompts): every placeholder interpolated.</summary>
    public string RenderText(string template, EvaluationScope scope)
    {
        var parsed = Template.Parse(template);
        var text = new StringBuilder();
        foreach (var part in parsed.Parts)
        {
            text.Append(part.IsExpression ? Guarded(part.Text, () => AsText(Run(part.Text, scope))) : part.Text);
        }

        return text.ToString();
    }

    private JsonObject RenderObject(JsonObject obj, EvaluationScope scope)
    {
        var result = new JsonObject();
        foreach (var (name, value) in obj)
        {
            result[name] = Render(value, scope);
        }

        return result;
    }

    private JsonNode? RenderString(string text, EvaluationScope scope)
    {
        var template = Template.Parse(text);
        if (!template.HasExpressions)
        {
            return JsonValue.Create(text);
        }

        if (!template.IsSingleExpression)
        {
            return JsonValue.Create(RenderText(text, scope));
        }

        return Value(template.Parts[0].Text, scope);
    }

    /// <summary>A bare expression's JSON value: a plain path straight from the scope, anything else from the sandbox.</summary>
    private JsonNode? Value(string expression, EvaluationScope scope) =>
        PathExpression.TryResolve(expression, scope, out var resolved) ? resolved : Guarded(expression, () => ToJson(Run(expression, scope)));

    /// <summary>Only inside <see cref="Guarded{T}"/>: the value may still run script when it is converted.</summary>
    private JsValue Run(string expression, EvaluationScope scope)
    {
        var script = ExpressionCompiler.Compile(expression);
        var engine = Engine;
        Bind(engine, scope, expression);
        return engine.Evaluate(script);
    }

    /// <summary>
    /// Runs one evaluation, conversion included, under one time budget, and maps every failure except a
    /// fatal runtime error to an <see cref="ExpressionException"/> naming the expression and the reason.
    /// </summary>
    private T Guarded<T>(string expression, Func<T> evaluate)
    {
        // Armed before the engine exists, so its very creation and binding count too.
        _deadline.Begin(TimeLimit, CancellationToken.None);
        try
        {
            return evaluate();
        }
        catch (ExpressionException)
        {
            throw;
        }
        catch (JavaScriptException ex)
        {
            throw new ExpressionException(expression, $"threw {Describe(ex)}", ex);
        }
        catch (Exception ex) when (ex is TimeoutException or System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            throw new ExpressionException(expression, $"took longer than {TimeLimit.TotalSeconds:0.#} s", ex);
        }
        catch (StatementsCountOverflowException ex)
        {
            throw new ExpressionException(expression, $"ran more than {StatementLimit} statements", ex);
        }
        catch (MemoryLimitExceededException ex)
        {
            throw new ExpressionException(expression, $"used more than {MemoryLimitBytes / (1024 * 1024)} MB of memory, the expression sandbox's limit", ex);
        }
        catch (RecursionDepthOverflowException ex)
        {
            throw new ExpressionException(expression, $"recursed deeper than {RecursionLimit}", ex);
        }
        catch (Exception ex) when (!IsFatal(ex))
        {
            // Whatever else broke may have left the engine half-way: the next evaluation starts a fresh one.
            _engine = null;
            _bound = null;
            throw new ExpressionException(expression, ex switch
            {
                System.Text.Json.JsonException => "its result cannot be converted to JSON: " + ex.Message,
                InsufficientExecutionStackException => "nests too deeply to evaluate",
                InvalidDataException => ex.Message,
                _ => $"failed: {ex.GetType().Name}: {ex.Message}",
            }, ex);
        }
        finally
        {
            _deadline.End();
        }
    }

    private static string CheckedString(JsValue value)
    {
        CheckSize(value);
        return value.AsString();
    }

    private static bool IsFatal(Exception ex) => ex is OutOfMemoryException or StackOverflowException or AccessViolationException;

    /// <summary>The thrown value as text, without letting a hostile <c>toString</c> run again.</summary>
    private static string Describe(JavaScriptException ex)
    {
        try
        {
            var text = ex.Error.ToString();
            return text.Length <= 500 ? text : text[..500] + "…";
        }
        catch (Exception inner) when (!IsFatal(inner))
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// Converts only the globals an expression can mention: building <c>steps</c> means copying
    /// every visible output into the sandbox, which most expressions never look at.
    /// </summary>
    private void Bind(JsEngine engine, EvaluationScope scope, string expression)
    {
        if (!ReferenceEquals(_bound, scope))
        {
            _bound = scope;
            _boundGlobals = BoundGlobals.None;
            engine.SetValue("index", scope.Index is { } index ? new JsNumber(index) : JsValue.Undefined);
            engine.SetValue("iteration", scope.Iteration is { } iteration ? new JsNumber(iteration) : JsValue.Undefined);
        }

        var parser = new JsonParser(engine);
        if (!_boundGlobals.HasFlag(BoundGlobals.Input) && expression.Contains("input", StringComparison.Ordinal))
        {
            engine.SetValue("input", ToJs(parser, scope.Input));
            _boundGlobals |= BoundGlobals.Input;
        }

        if (!_boundGlobals.HasFlag(BoundGlobals.Item) && expression.Contains("item", StringComparison.Ordinal))
        {
            engine.SetValue("item", ToJs(parser, scope.Item));
            _boundGlobals |= BoundGlobals.Item;
        }

        if (!_boundGlobals.HasFlag(BoundGlobals.Steps) && expression.Contains("steps", StringComparison.Ordinal))
        {
            var steps = new JsonObject();
            foreach (var (id, output) in scope.Steps)
            {
                steps[id] = output?.DeepClone();
            }

            engine.SetValue("steps", parser.Parse(steps.ToJsonString()));
            _boundGlobals |= BoundGlobals.Steps;
        }
    }

    [Flags]
    private enum BoundGlobals
    {
        None = 0,
        Input = 1,
        Item = 2,
        Steps = 4,
    }

    private static JsValue ToJs(JsonParser parser, JsonNode? node) =>
        node is null ? JsValue.Null : parser.Parse(node.ToJsonString());

    private JsonNode? ToJson(JsValue value)
    {
        if (value.IsUndefined() || value.IsNull())
        {
            return null;
        }

        // A huge string is refused before it is copied into JSON text.
        CheckSize(value);
        var json = new JsonSerializer(Engine).Serialize(value);
        if (json.IsUndefined())
        {
            return null;
        }

        var text = json.AsString();
        if (text.Length > ResultLimit)
        {
            throw new InvalidDataException($"its result is {text.Length} characters of JSON; the limit is {ResultLimit}");
        }

        return JsonNode.Parse(text);
    }

    private static void CheckSize(JsValue value)
    {
        if (value.IsString() && value.AsString().Length > ResultLimit)
        {
            throw new InvalidDataException($"its result is a string of {value.AsString().Length} characters; the limit is {ResultLimit}");
        }
    }

    private string AsText(JsValue value) => value switch
    {
        _ when value.IsUndefined() || value.IsNull() => "",
        _ when value.IsString() => CheckedString(value),
        _ when value.IsObject() && !value.IsRegExp() => ToJson(value)?.ToJsonString() ?? "",
        _ => TypeConverter.ToString(value),
    };
}
