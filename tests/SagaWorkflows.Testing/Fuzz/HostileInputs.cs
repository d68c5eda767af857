using System.Text;

namespace SagaWorkflows.Testing.Fuzz;

/// <summary>
/// Malformed and hostile inputs for the fuzz suites, generated from a seed so a failure can be replayed: the
/// classes a probe found (unbounded sizes, deep nesting, values the runtime cannot use, results that cannot
/// become JSON, slow regular expressions, duplicate keys, broken text) mixed into otherwise sensible definitions.
/// </summary>
public sealed class HostileInputs(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Expressions that fail, loop, recurse, nest, or produce values that cannot become JSON.</summary>
    public static readonly IReadOnlyList<string> Expressions =
    [
        "10n", "({ toJSON() { throw new Error('x') } })", "(() => { const o = {}; o.o = o; return o })()",
        "(() => { let a = []; for (let i = 0; i < 200; i++) a = [a]; return a })()", "({ get x() { while (true) {} } })",
        "new Proxy({}, { ownKeys() { for (;;) {} } })", "/^(a+)+$/.test('a'.repeat(40) + '!')", "(function f() { return f() })()",
        "'x'.repeat(1 << 28)", "Array(1e7).fill(1)", "Symbol('s')", "undefined.x", "input.missing.deeper", "null + {}",
        new string('(', 500) + "1" + new string(')', 500), string.Concat(Enumerable.Repeat("!", 3000)) + "1",
        string.Join("+", Enumerable.Repeat("1", 3000)), "eval('1')", "Function('return 1')()", "this.constructor",
        "globalThis.process", "import('x')", "await 1", "1;2", "}{", "${ 1 }", "`${`${`${1}`}`}`", "x => x", "new Date()",
        "Math.random()", "[].constructor.constructor('return 1')()", "'\\u0000'", "'\\ud800'", "JSON.parse('{\"a\":1,\"a\":2}')",
    ];

    private static readonly string[] HostileValues =
    [
        "null", "true", "-1", "0", "2147483648", "1e309", "-1e309", "1.5", "\"\"", "\" \"", "[]", "{}", "\"P5000000D\"", "\"PT-1S\"",
        "\"P99999999999D\"", "\"\\u0000\"", "\"\\ud800\"", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]", "9007199254740993",
    ];

    private static readonly string[] StepTemplates =
    [
        """{ "id": "ID", "type": "tool", "tool": "echo", "input": { "v": "${ EXPR }" }, "retry": { "maxAttempts": 2, "initialInterval": "PT0.1S", "backoffRate": 2 } }""",
        """{ "id": "ID", "type": "loop", "until": "EXPR", "maxIterations": 3, "steps": [ { "id": "ID_b", "type": "tool", "tool": "echo" } ] }""",
        """{ "id": "ID", "type": "foreach", "items": "EXPR", "concurrency": 2, "steps": [ { "id": "ID_b", "type": "tool", "tool": "echo", "input": "${ item }" } ] }""",
        """{ "id": "ID", "type": "branch", "cases": [ { "when": "EXPR", "steps": [ { "id": "ID_b", "type": "tool", "tool": "echo" } ] } ] }""",
        """{ "id": "ID", "type": "parallel", "branches": { "a": [ { "id": "ID_a", "type": "sleep", "duration": "PT0.1S" } ], "b": [ { "id": "ID_b", "type": "tool", "tool": "echo" } ] } }""",
        """{ "id": "ID", "type": "wait", "signal": "go", "timeout": "PT1S" }""",
        """{ "id": "ID", "type": "ai", "model": "default", "prompt": "Say ${ EXPR }" }""",
    ];

    /// <summary>A definition: a few steps, each maybe carrying a hostile expression, then maybe mutated.</summary>
    public string Definition()
    {
        var steps = new List<string>();
        var count = _random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var expression = _random.Next(3) == 0 ? "input.n" : Pick(Expressions);
            steps.Add(Pick(StepTemplates).Replace("ID", $"s{i}", StringComparison.Ordinal)
                .Replace("EXPR", JsonEscape(expression), StringComparison.Ordinal));
        }

        var json = $$"""{ "id": "fuzz", "timeout": "PT30S", "steps": [ {{string.Join(", ", steps)}} ] }""";
        return _random.Next(4) switch
        {
            0 => json,
            1 => ReplaceValue(json),
            2 => MutateText(json),
            _ => Structural(json),
        };
    }

    /// <summary>
    /// A valid definition that asks the runtime for a lot: loops of up to <paramref name="maxIterations"/> iterations
    /// whose bodies never wait, foreach items of up to ten million elements, rendered inputs of megabytes, and tools
    /// and waits that <see cref="LargeText"/> outputs and payloads may answer. Every one must end within the runtime's
    /// bounds (events per transition, items, payload sizes) or fail naming the one it broke.
    /// </summary>
    public string HeavyDefinition(int maxIterations = 10_000)
    {
        const string Nap = """{ "id": "ID_nap", "type": "sleep", "duration": "PT0S" }""";
        var steps = new List<string>();
        var count = _random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var step = _random.Next(5) switch
            {
                0 => Loop(Pick([10, Math.Max(1, maxIterations / 10), maxIterations]), Pick([
                    Nap,
                    """{ "id": "ID_pick", "type": "branch", "cases": [ { "when": "iteration % 2 == 0", "steps": [ NAP ] } ] }""".Replace("NAP", Nap, StringComparison.Ordinal),
                    """{ "id": "ID_each", "type": "foreach", "items": "[1, 2, 3]", "steps": [ NAP ] }""".Replace("NAP", Nap, StringComparison.Ordinal),
                ])),
                1 => $$"""{ "id": "ID", "type": "foreach", "items": "{{Pick([
                    "Array.from({ length: 10000000 }, (_, i) => i)", "Array.from({ length: 200000 }, (_, i) => i)",
                    $"Array.from({{ length: {Math.Min(3000, maxIterations)} }}, (_, i) => i)", "input.many"])}}", "concurrency": {{Pick([1, 10, 1000])}}, "steps": [ {{Nap}} ] }""",
                2 => $$"""{ "id": "ID", "type": "tool", "tool": "echo", "input": { "blob": "${ 'x'.repeat({{Pick([10, 100_000, 5_000_000])}}) }" } }""",
                3 => """{ "id": "ID", "type": "tool", "tool": "echo" }""",
                _ => """{ "id": "ID", "type": "wait", "signal": "go", "timeout": "PT5S" }""",
            };
            steps.Add(step.Replace("ID", $"h{i}", StringComparison.Ordinal));
        }

        return $$"""{ "id": "heavy", "timeout": "PT60S", "steps": [ {{string.Join(", ", steps)}} ] }""";

        static string Loop(int iterations, string body) =>
            $$"""{ "id": "ID", "type": "loop", "while": "iteration < {{iterations}}", "maxIterations": {{iterations}}, "steps": [ {{body}} ] }""";
    }

    /// <summary>The input of a <see cref="HeavyDefinition"/>: <c>many</c> is a few elements or more than a foreach may take.</summary>
    public object HeavyInput() => new { n = 1, many = Enumerable.Range(0, Pick([3, 150_000])).ToArray() };

    /// <summary>A tool's output or a signal's payload: small, large, or beyond the default payload limit.</summary>
    public string LargeText() => new('x', Pick([10, 100_000, 5_000_000]));

    /// <summary>A request for the bridge's HTTP API: odd paths, content types, bodies and encodings.</summary>
    public (HttpMethod Method, string Path, string? ContentType, byte[] Body) Request()
    {
        var runId = _random.Next(4) == 0 ? "00000000-0000-0000-0000-000000000000" : Guid.NewGuid().ToString();
        var path = _random.Next(10) switch
        {
            0 => "/runs/" + new string('x', 5000),
            1 => $"/runs/{runId}/signals/{new string('s', 300)}",
            2 => $"/runs/{runId}/cancel",
            3 => $"/runs/{runId}/events?after=-5",
            4 => $"/runs/{runId}/events?after=99999999999999999999",
            5 => "/runs?limit=" + Pick(["0", "-1", "x", "100000", "1e3"]),
            6 => "/events?after=abc",
            7 => "/assets/../../etc/passwd",
            _ => "/runs",
        };
        var method = path.Contains("/events", StringComparison.Ordinal) || path.Contains("limit", StringComparison.Ordinal) || path.Contains("assets", StringComparison.Ordinal)
            ? HttpMethod.Get
            : HttpMethod.Post;
        var contentType = Pick<string?>(["application/json", "application/json", "text/plain", "application/x-www-form-urlencoded", null, "application/json; charset=latin1"]);
        byte[] body = _random.Next(6) switch
        {
            0 => [0xC3, 0x28, 0xFF, 0xFE],
            1 => Encoding.UTF8.GetBytes("{ \"definition\": " + JsonEscapeQuoted(Definition()) + " }"),
            2 => Encoding.UTF8.GetBytes("{ \"definition\": " + Definition() + ", \"runId\": \"" + runId + "\" }"),
            3 => Encoding.UTF8.GetBytes(MutateText("{ \"workflowId\": \"hello\", \"input\": { \"name\": \"x\" } }")),
            4 => Encoding.UTF8.GetBytes("{ \"workflowId\": \"w\", \"workflowId\": \"v\" }"),
            _ => Encoding.UTF8.GetBytes(new string('[', 10_000)),
        };
        return (method, path, contentType, body);
    }

    private string ReplaceValue(string json)
    {
        // Swaps the value after a random property name for a hostile one.
        var colons = Enumerable.Range(0, json.Length).Where(i => json[i] == ':').ToList();
        var at = colons[_random.Next(colons.Count)] + 1;
        var end = at;
        var depth = 0;
        var inString = false;
        for (; end < json.Length; end++)
        {
            var c = json[end];
            if (inString)
            {
                if (c == '\\')
                {
                    end++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
            }
            else if (c is '{' or '[')
            {
                depth++;
            }
            else if (c is '}' or ']')
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                break;
            }
        }

        var value = _random.Next(8) == 0 ? "\"" + new string('a', _random.Next(200, 300_000)) + "\"" : Pick(HostileValues);
        return json[..at] + " " + value + json[end..];
    }

    private string MutateText(string json)
    {
        var builder = new StringBuilder(json);
        for (var i = _random.Next(1, 4); i > 0; i--)
        {
            var at = _random.Next(builder.Length);
            switch (_random.Next(3))
            {
                case 0:
                    builder.Remove(at, 1);
                    break;
                case 1:
                    builder.Insert(at, Pick(["\"", "{", "[", "}", "]", ",", ":", "\\", "\u0000", "\ud800", "/*", "//"]));
                    break;
                default:
                    builder[at] = (char)_random.Next(32, 127);
                    break;
            }
        }

        return builder.ToString();
    }

    private string Structural(string json) => _random.Next(5) switch
    {
        0 => json.Replace("{ \"id\": \"fuzz\",", "{ \"id\": \"fuzz\", \"id\": \"again\",", StringComparison.Ordinal),
        1 => json.Replace("\"id\": \"s0\"", $"\"id\": \"{new string('s', _random.Next(129, 2_000_000))}\"", StringComparison.Ordinal),
        2 => Nest(_random.Next(10, 40)),
        3 => new string('[', 100_000),
        _ => json.Replace("\"steps\": [", "\"steps\": [" + string.Join(", ", Enumerable.Range(0, 1200).Select(i => $"{{ \"id\": \"x{i}\", \"type\": \"sleep\", \"duration\": \"PT0S\" }}")) + ",", StringComparison.Ordinal),
    };

    private static string Nest(int depth)
    {
        var inner = """{ "id": "leaf", "type": "tool", "tool": "echo" }""";
        for (var i = 0; i < depth; i++)
        {
            inner = $$"""{ "id": "n{{i}}", "type": "loop", "until": "true", "maxIterations": 1, "steps": [ {{inner}} ] }""";
        }

        return $$"""{ "id": "deep", "steps": [ {{inner}} ] }""";
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private static string JsonEscape(string text) => JsonEscapeQuoted(text)[1..^1];

    private static string JsonEscapeQuoted(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
