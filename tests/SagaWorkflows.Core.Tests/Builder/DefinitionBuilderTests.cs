using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Tests.Definitions;
using SagaWorkflows.Definitions;

namespace SagaWorkflows.Core.Tests.Builder;

/// <summary>
/// The C# builder writes exactly the definition format: every sample rebuilt in C# is the same JSON document as
/// its file, and the parser reads the builder's output to the same model as the file's.
/// </summary>
public sealed class DefinitionBuilderTests
{
    public static TheoryData<string> Samples() => new(RepositoryFiles.ValidSampleNames());

    [Fact]
    public void Every_valid_sample_has_a_CSharp_twin()
    {
        Assert.Equal(RepositoryFiles.ValidSampleNames(), SampleWorkflows.All.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_sample_rebuilt_in_CSharp_is_the_same_document_and_parses_to_the_same_model(string sample)
    {
        var file = File.ReadAllText(Path.Combine(RepositoryFiles.SamplesDirectory, sample));
        var built = SampleWorkflows.All[sample]();

        var expected = JsonNode.Parse(file)!;
        var actual = JsonNode.Parse(built.ToJson(indented: true))!;
        Assert.True(JsonNode.DeepEquals(expected, actual), $"the builder wrote\n{actual}\nthe file says\n{expected}");

        var fromFile = WorkflowDefinitionParser.Parse(file);
        var fromBuilder = WorkflowDefinitionParser.Parse(built.ToJson());
        Assert.True(fromBuilder.IsValid, string.Join("\n", fromBuilder.Errors));
        var (a, b) = (Model(fromFile.Definition), Model(fromBuilder.Definition));
        Assert.True(JsonNode.DeepEquals(a, b), $"models differ:\n{a}\n{b}");
    }

    [Fact]
    public void The_sample_user_solutions_CSharp_definition_is_its_order_json()
    {
        var file = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "examples", "UserSolution", "Shop.Publisher", "order.json"));
        var built = Shop.Publisher.ShopOrder.Definition.ToJson();

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(file), JsonNode.Parse(built)), built);
        Assert.True(WorkflowDefinitionParser.Parse(built).IsValid);
    }

    [Fact]
    public void The_builder_depends_on_no_expression_engine_no_schema_library_and_no_engine_internals()
    {
        var references = typeof(Workflow).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, r => r.StartsWith("Jint", StringComparison.Ordinal) || r.StartsWith("NJsonSchema", StringComparison.Ordinal)
                                               || r.StartsWith("SagaWorkflows", StringComparison.Ordinal) || r.StartsWith("MassTransit", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_node_type_and_field_is_written_as_the_format_names_it_and_validates()
    {
        var everything = Workflow.Define("everything")
            .Version(3)
            .Name("Everything")
            .Description("all of it")
            .InputSchema(JsonNode.Parse("""{ "type": "object" }"""))
            .Timeout(TimeSpan.FromHours(1))
            .Steps(
                Step.Tool("t", "echo").Name("T").Description("a tool")
                    .Input(new { v = "${ input.n }" })
                    .Timeout("PT30S")
                    .Retry(new RetryPolicy
                    {
                        MaxAttempts = 4,
                        InitialInterval = TimeSpan.FromSeconds(1),
                        BackoffRate = 1.5,
                        MaxInterval = TimeSpan.FromMinutes(1),
                        Jitter = Jitter.None,
                        RetryOn = ["Timeout", "Transient"],
                        NonRetryable = ["Fatal"],
                    })
                    .Compensate("undo", new { of = "${ steps.t.v }" }, new RetryPolicy { MaxAttempts = 2 }),
                Step.Ai("a", "default", "Say ${ input.n }").System("Be brief.").OutputSchema(new { type = "object" })
                    .Retry(new RetryPolicy { MaxAttempts = 1 }).Timeout(TimeSpan.FromSeconds(20)).Stream(),
                Step.Parallel("p").Branch("left", Step.Sleep("s1", "PT0S")).Branch("right"),
                Step.Foreach("f", "[1, 2]", Step.Tool("ft", "echo").Input("${ item }")).Concurrency(2),
                Step.Loop("l", Step.Tool("lt", "echo")).While("iteration < 3").MaxIterations(5),
                Step.Branch("b").Case("input.n > 1", Step.Wait("w", "go").Schema(new { type = "object" }).Timeout(TimeSpan.FromMinutes(5))).Default(),
                Step.Sleep("z", TimeSpan.FromMilliseconds(1500)),
                Step.SleepUntil("u", "input.deliverAt"))
            .Output("${ steps.z }");

        var json = everything.ToJsonObject();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {
              "id": "everything", "version": 3, "name": "Everything", "description": "all of it",
              "inputSchema": { "type": "object" }, "timeout": "PT1H",
              "steps": [
                { "id": "t", "type": "tool", "name": "T", "description": "a tool", "tool": "echo", "input": { "v": "${ input.n }" },
                  "retry": { "maxAttempts": 4, "initialInterval": "PT1S", "backoffRate": 1.5, "maxInterval": "PT1M", "jitter": "none",
                             "retryOn": ["Timeout", "Transient"], "nonRetryable": ["Fatal"] },
                  "timeout": "PT30S",
                  "compensate": { "tool": "undo", "input": { "of": "${ steps.t.v }" }, "retry": { "maxAttempts": 2 } } },
                { "id": "a", "type": "ai", "model": "default", "system": "Be brief.", "prompt": "Say ${ input.n }",
                  "outputSchema": { "type": "object" }, "retry": { "maxAttempts": 1 }, "timeout": "PT20S", "stream": true },
                { "id": "p", "type": "parallel", "branches": { "left": [ { "id": "s1", "type": "sleep", "duration": "PT0S" } ], "right": [] } },
                { "id": "f", "type": "foreach", "items": "[1, 2]", "concurrency": 2, "steps": [ { "id": "ft", "type": "tool", "tool": "echo", "input": "${ item }" } ] },
                { "id": "l", "type": "loop", "while": "iteration < 3", "maxIterations": 5, "steps": [ { "id": "lt", "type": "tool", "tool": "echo" } ] },
                { "id": "b", "type": "branch", "cases": [ { "when": "input.n > 1", "steps": [
                    { "id": "w", "type": "wait", "signal": "go", "schema": { "type": "object" }, "timeout": "PT5M" } ] } ], "default": [] },
                { "id": "z", "type": "sleep", "duration": "PT1.5S" },
                { "id": "u", "type": "sleep", "until": "input.deliverAt" }
              ],
              "output": "${ steps.z }"
            }
            """), json), json.ToJsonString());

        var parsed = WorkflowDefinitionParser.Parse(everything.ToJson());
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        Assert.Equal(["tool", "ai", "parallel", "foreach", "loop", "branch", "sleep", "sleep"], parsed.Definition!.Steps.Select(s => s.Type));
        Assert.True(Assert.IsType<Core.Nodes.AiStep>(parsed.Definition.Steps[1]).Stream);
    }

    [Fact]
    public void Expressions_stay_readable_in_the_written_text()
    {
        var json = Workflow.Define("text").Steps(Step.Loop("l", Step.Sleep("s", TimeSpan.Zero)).Until("iteration >= 2 && input.name !== '<none>'")).ToJson();

        Assert.Contains("\"until\":\"iteration >= 2 && input.name !== '<none>'\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_builder_mistake_the_types_cannot_catch_is_reported_by_the_parser_with_its_path()
    {
        var json = Workflow.Define("broken").Steps(Step.Tool("a", "echo"), Step.Tool("a", "echo")).ToJson();

        var parsed = WorkflowDefinitionParser.Parse(json);
        Assert.Equal(["$.steps[1].id: duplicate step id 'a' (first used at $.steps[0])"], parsed.Errors.Select(e => e.ToString()));
    }

    /// <summary>The parsed model as JSON, public properties only, leaving out the source text and the limits it was read with.</summary>
    private static JsonNode? Model(object? value) => value switch
    {
        null => null,
        string or bool or int or long or double => JsonValue.Create(value),
        TimeSpan span => JsonValue.Create(span.ToString()),
        Enum e => JsonValue.Create(e.ToString()),
        JsonNode node => node.DeepClone(),
        IEnumerable items => new JsonArray(items.Cast<object?>().Select(Model).ToArray()),
        _ when value.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(KeyValuePair<,>) =>
            new JsonObject { ["key"] = Model(t.GetProperty("Key")!.GetValue(value)), ["value"] = Model(t.GetProperty("Value")!.GetValue(value)) },
        _ => Object(value),
    };

    private static JsonObject Object(object value)
    {
        var json = new JsonObject { ["$type"] = value.GetType().Name };
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetIndexParameters().Length == 0 && p.Name is not ("Json" or "Limits" or "EqualityContract"))
                     .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            json[property.Name] = Model(property.GetValue(value));
        }

        return json;
    }
}
