using System.Text.Json.Nodes;
using SagaWorkflows.Core.Expressions;

namespace SagaWorkflows.Core.Tests.Expressions;

/// <summary>
/// Bare paths are resolved without a JavaScript engine; the result must be exactly what the sandbox gives, so
/// every case is compared with the same path evaluated by the sandbox (wrapped in parentheses, which the fast
/// path does not take).
/// </summary>
public sealed class PathExpressionTests
{
    private static EvaluationScope Scope(string item) => new()
    {
        Input = JsonNode.Parse("""{ "customer": { "id": "c-7", "tags": ["a", "b"] }, "n": 3 }"""),
        Item = JsonNode.Parse(item),
        Steps = new Dictionary<string, JsonNode?> { ["fetch"] = JsonNode.Parse("""{ "body": { "ok": true, "size": 12 } }"""), ["empty"] = null },
    };

    public static TheoryData<string, string, bool> Cases => new()
    {
        // item JSON, path, whether the fast path answers it (else the sandbox does)
        { """{ "i": 4, "payload": "x" }""", "item", true },
        { """{ "i": 4, "payload": "x" }""", "item.payload", true },
        { """{ "text": "é \" \\ \n <>&", "deep": [ { "a": [ 1, 2.5, -7, 0, null, false ] } ] }""", "item", true },
        { """{ "x": 1 }""", "input.customer", true },
        { """{ "x": 1 }""", "input.customer.id", true },
        { """{ "x": 1 }""", "steps.fetch.body", true },
        { """{ "x": 1 }""", "steps.empty", true },
        { "null", "item", true },
        // JavaScript puts integer-like keys first and rewrites some numbers: the sandbox answers those.
        { """{ "b": 1, "2": "two", "a": 3 }""", "item", false },
        { """{ "n": 1.10 }""", "item", false },
        { """{ "n": 1e3 }""", "item", false },
        { """{ "n": 12345678901234567890 }""", "item", false },
        { """{ "n": -0 }""", "item", false },
        // Not own properties of an object: the sandbox's answer (undefined, a length, a prototype member).
        { """{ "x": 1 }""", "item.missing", false },
        { """{ "x": 1 }""", "input.customer.tags.length", false },
        { """{ "x": 1 }""", "input.customer.id.length", false },
        { """{ "x": 1 }""", "steps.nothing", false },
        { """{ "x": 1 }""", "item.constructor.name", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bare_path_gives_what_the_sandbox_gives(string item, string path, bool fast)
    {
        var direct = new ExpressionEvaluator();
        var sandbox = new ExpressionEvaluator();

        var viaPath = direct.Render(JsonValue.Create("${ " + path + " }"), Scope(item));
        var viaSandbox = sandbox.Render(JsonValue.Create("${ (" + path + ") }"), Scope(item));

        Assert.True(JsonNode.DeepEquals(viaSandbox, viaPath), $"{path}: sandbox {viaSandbox?.ToJsonString()}, path {viaPath?.ToJsonString()}");
        Assert.Equal(viaSandbox?.ToJsonString(), viaPath?.ToJsonString());
        Assert.True(sandbox.StartedEngine);
        Assert.Equal(!fast, direct.StartedEngine);
    }

    [Fact]
    public void A_bare_path_result_is_a_copy_not_the_scope_itself()
    {
        var scope = Scope("""{ "nested": { "v": 1 } }""");
        var result = new ExpressionEvaluator().Evaluate("${ item.nested }", scope)!.AsObject();
        result["v"] = 2;

        Assert.Equal(1, scope.Item!["nested"]!["v"]!.GetValue<int>());
    }

    [Fact]
    public void A_path_through_something_that_is_not_there_still_fails_as_the_sandbox_says()
    {
        var error = Assert.Throws<ExpressionException>(() => new ExpressionEvaluator().Evaluate("${ item.missing.deeper }", Scope("""{ "x": 1 }""")));

        Assert.Contains("item.missing.deeper", error.Message, StringComparison.Ordinal);
    }
}
