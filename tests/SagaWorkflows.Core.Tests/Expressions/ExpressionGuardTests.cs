using System.Diagnostics;
using System.Text.Json.Nodes;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Tests.Expressions;

/// <summary>
/// Hostile expressions end as an <see cref="ExpressionException"/> naming the problem, never as another
/// exception escaping to the saga: the conversion of the result to JSON included, since it runs script too.
/// </summary>
public sealed class ExpressionGuardTests
{
    private static readonly EvaluationScope Scope = new() { Input = JsonNode.Parse("""{ "n": 3 }""") };

    public static TheoryData<string, string> HostileResults => new()
    {
        { "10n", "BigInt" },
        { "({ toJSON() { throw new Error('nope') } })", "nope" },
        { "(() => { const o = {}; o.self = o; return o })()", "threw" },
        { "(() => { let a = []; for (let i = 0; i < 100; i++) a = [a]; return a })()", "JSON" },
        { "({ get x() { while (true) {} } })", "statements" },
        { "new Proxy({}, { ownKeys() { while (true) {} } })", "statements" },
        { "({ get x() { for (;;) { } } })", "statements" },
        { "Symbol('s')", "" },
    };

    [Theory]
    [MemberData(nameof(HostileResults))]
    public void A_result_that_cannot_become_JSON_is_an_expression_error(string expression, string reason)
    {
        var evaluator = new ExpressionEvaluator();

        var error = Record.Exception(() => evaluator.Evaluate(expression, Scope));

        // Symbol('s') serialises to undefined, i.e. null: not an error, and not a crash.
        if (expression.StartsWith("Symbol", StringComparison.Ordinal))
        {
            Assert.Null(error);
            return;
        }

        var expressionError = Assert.IsType<ExpressionException>(error);
        Assert.Contains(reason, expressionError.Reason, StringComparison.Ordinal);
        Assert.Equal(expression, expressionError.Expression);

        // The evaluator stays usable after any of them.
        Assert.Equal(4, evaluator.Evaluate("input.n + 1", Scope)!.GetValue<int>());
    }

    [Theory]
    [InlineData("({ toJSON() { throw new Error('nope') } })")]
    [InlineData("({ a: 10n })")]
    public void Interpolating_a_hostile_value_into_text_is_an_expression_error(string expression)
    {
        var evaluator = new ExpressionEvaluator();

        var error = Record.Exception(() => evaluator.RenderText("value: ${ " + expression + " }", Scope));

        Assert.IsType<ExpressionException>(error);
    }

    [Fact]
    public void A_catastrophic_regular_expression_stops_at_the_expression_time_limit()
    {
        var evaluator = new ExpressionEvaluator();
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<ExpressionException>(() =>
            evaluator.IsTrue("/^(a+)+$/.test('a'.repeat(40) + '!')", Scope));

        // Jint's default regex timeout is 10 s; it must be the expression's 1 s.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
        Assert.Contains("longer than 1 s", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(20_000, '(', ')')]
    [InlineData(20_000, '[', ']')]
    public void Brackets_nested_beyond_the_limit_are_a_compile_error(int depth, char open, char close)
    {
        var expression = new string(open, depth) + "1" + new string(close, depth);

        Assert.False(ExpressionCompiler.TryCompile(expression, out _, out var error));
        Assert.Contains("nest deeper than", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("!")]
    [InlineData("-")]
    [InlineData("typeof ")]
    public void Deep_unary_chains_are_an_error_not_a_crash(string op)
    {
        var expression = string.Concat(Enumerable.Repeat(op, 4000)) + "1";

        var compiled = ExpressionCompiler.TryCompile(expression, out _, out var error);
        if (compiled)
        {
            var evaluation = Record.Exception(() => new ExpressionEvaluator().Evaluate(expression, Scope));
            Assert.True(evaluation is null or ExpressionException, evaluation?.ToString());
        }
        else
        {
            Assert.False(string.IsNullOrEmpty(error));
        }
    }

    [Fact]
    public void Long_binary_chains_evaluate_or_fail_cleanly()
    {
        var expression = string.Join("+", Enumerable.Repeat("1", 2000));

        var result = Record.Exception(() => new ExpressionEvaluator().Evaluate(expression, Scope));

        Assert.True(result is null or ExpressionException, result?.ToString());
    }

    [Fact]
    public void The_compiled_expression_cache_is_bounded_in_entries_and_size()
    {
        for (var i = 0; i < 5000; i++)
        {
            Assert.True(ExpressionCompiler.TryCompile($"input.n + {i}", out _, out _));
        }

        Assert.InRange(ExpressionCompiler.CachedCount, 1, 4096);

        // A long expression is compiled but never kept; a short one is.
        var big = "'" + new string('x', 100_000) + "'.length";
        Assert.True(ExpressionCompiler.TryCompile(big, out _, out _));
        Assert.False(ExpressionCompiler.IsCached(big));
        Assert.True(ExpressionCompiler.TryCompile("input.n * 31", out _, out _));
        Assert.True(ExpressionCompiler.IsCached("input.n * 31"));
    }
}
