using System.Text.Json.Nodes;
using NJsonSchema;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Schemas;

namespace SagaWorkflows.Core.Tests.Definitions;

/// <summary>
/// <c>schemas/workflow.schema.json</c> is what designers and editors check against, so it must accept
/// what the parser accepts and refuse what it refuses (within what a schema can express).
/// </summary>
public class WorkflowSchemaTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromFileAsync(RepositoryFiles.SchemaPath).GetAwaiter().GetResult());

    public static TheoryData<string> Samples() => new(RepositoryFiles.ValidSampleNames());

    private static string SchemaProblems(string json) =>
        string.Join("\n", Schema.Value.Validate(json).Select(e => e.ToString()));

    [Fact]
    public void The_samples_the_readme_walks_through_are_all_there()
    {
        Assert.Equal(
            ["approval.json", "child-runs.json", "compensation.json", "control-flow.json", "hello.json", "order-fulfillment.json", "redrive.json"],
            RepositoryFiles.ValidSampleNames());
        Assert.True(File.Exists(Path.Combine(RepositoryFiles.SamplesDirectory, "invalid.json")));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_validates_against_the_schema(string sample)
    {
        var json = File.ReadAllText(Path.Combine(RepositoryFiles.SamplesDirectory, sample));

        Assert.Equal("", SchemaProblems(json));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_is_accepted_by_the_parser(string sample)
    {
        var result = WorkflowDefinitionParser.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.SamplesDirectory, sample)));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(Path.GetFileNameWithoutExtension(sample), result.Definition!.Id);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_input_matches_the_sample_input_schema(string sample)
    {
        var definition = WorkflowDefinitionParser.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.SamplesDirectory, sample))).Definition!;
        var inputPath = Path.Combine(RepositoryFiles.SamplesDirectory, "inputs", sample);

        Assert.True(File.Exists(inputPath), $"samples/inputs/{sample} is missing");
        var input = JsonNode.Parse(File.ReadAllText(inputPath));
        if (definition.InputSchema is { } schema)
        {
            Assert.Empty(SchemaValidator.Validate(schema, input));
        }
    }

    [Fact]
    public void The_invalid_sample_is_refused_by_both()
    {
        var json = File.ReadAllText(Path.Combine(RepositoryFiles.SamplesDirectory, "invalid.json"));

        Assert.NotEqual("", SchemaProblems(json));
        Assert.False(WorkflowDefinitionParser.Parse(json).IsValid);
    }

    [Fact]
    public void The_product_brief_example_validates_against_the_schema()
    {
        Assert.Equal("", SchemaProblems(ValidDefinitionTests.ProductBriefExample));
    }

    [Theory]
    [InlineData("PT30S")]
    [InlineData("PT0.5S")]
    [InlineData("PT5M")]
    [InlineData("PT1H30M")]
    [InlineData("P1D")]
    [InlineData("P1DT2H")]
    [InlineData("P1Y2M3DT4H5M6.7S")]
    [InlineData("PT0S")]
    [InlineData("30s")]
    [InlineData("5 minutes")]
    [InlineData("P1W")]
    [InlineData("PT")]
    [InlineData("P")]
    [InlineData("P1DT")]
    [InlineData("pt30s")]
    [InlineData("PT30S ")]
    [InlineData(" PT30S")]
    [InlineData("-PT5S")]
    [InlineData("PT1.5M")]
    [InlineData("")]
    public void Schema_and_parser_agree_on_durations(string duration)
    {
        var json = $$"""{ "id": "w", "steps": [ { "id": "nap", "type": "sleep", "duration": "{{duration}}" } ] }""";

        var byParser = WorkflowDefinitionParser.Parse(json).IsValid;
        var bySchema = SchemaProblems(json).Length == 0;

        Assert.Equal(byParser, bySchema);
    }

    [Theory]
    [InlineData("""{ "id": "t", "type": "tool", "tool": "echo", "retry": { "backoffRate": 0.5 } }""")]
    [InlineData("""{ "id": "t", "type": "tool", "tool": "echo", "retry": { "maxAttempts": 0 } }""")]
    [InlineData("""{ "id": "t", "type": "tool", "tool": "echo", "retry": { "initialInterval": "PT0S" } }""")]
    [InlineData("""{ "id": "t", "type": "tool", "tool": "echo", "retry": { "jitter": "half" } }""")]
    [InlineData("""{ "id": "t", "type": "tool", "tool": "echo", "retry": { "retryOn": "Transient" } }""")]
    [InlineData("""{ "id": "t", "type": "tool", "tool": "echo", "timout": "PT1S" }""")]
    [InlineData("""{ "id": "t", "type": "tool", "tool": "echo", "compensate": { "input": {} } }""")]
    [InlineData("""{ "id": "t", "type": "tool", "tool": "" }""")]
    [InlineData("""{ "id": "t", "type": "tool" }""")]
    [InlineData("""{ "id": "t", "type": "teleport" }""")]
    [InlineData("""{ "type": "tool", "tool": "echo" }""")]
    [InlineData("""{ "id": "d e", "type": "tool", "tool": "echo" }""")]
    [InlineData("""{ "id": "a", "type": "ai", "model": "default" }""")]
    [InlineData("""{ "id": "a", "type": "ai", "model": "default", "prompt": "Hi", "outputSchema": true }""")]
    [InlineData("""{ "id": "p", "type": "parallel", "branches": {} }""")]
    [InlineData("""{ "id": "p", "type": "parallel", "branches": { "x": {} } }""")]
    [InlineData("""{ "id": "f", "type": "foreach", "items": "input.items", "steps": [] }""")]
    [InlineData("""{ "id": "f", "type": "foreach", "items": "input.items", "concurrency": 0, "steps": [ { "id": "x", "type": "tool", "tool": "echo" } ] }""")]
    [InlineData("""{ "id": "l", "type": "loop", "steps": [ { "id": "x", "type": "tool", "tool": "echo" } ] }""")]
    [InlineData("""{ "id": "l", "type": "loop", "until": "true", "while": "true", "steps": [ { "id": "x", "type": "tool", "tool": "echo" } ] }""")]
    [InlineData("""{ "id": "l", "type": "loop", "until": " ", "steps": [ { "id": "x", "type": "tool", "tool": "echo" } ] }""")]
    [InlineData("""{ "id": "b", "type": "branch", "cases": [] }""")]
    [InlineData("""{ "id": "b", "type": "branch", "cases": [ { "when": "true" } ] }""")]
    [InlineData("""{ "id": "w", "type": "wait" }""")]
    [InlineData("""{ "id": "w", "type": "wait", "signal": "go", "timeout": "1 day" }""")]
    [InlineData("""{ "id": "s", "type": "sleep" }""")]
    [InlineData("""{ "id": "s", "type": "sleep", "duration": "PT1S", "name": 3 }""")]
    [InlineData("""{ "id": "s", "type": "sleep", "duration": "PT1S", "until": "input.at" }""")]
    [InlineData("""{ "id": "s", "type": "sleep", "until": " " }""")]
    public void Steps_the_parser_refuses_the_schema_refuses_too(string stepJson)
    {
        var json = $$"""{ "id": "w", "steps": [ {{stepJson}} ] }""";

        Assert.False(WorkflowDefinitionParser.Parse(json).IsValid);
        Assert.NotEqual("", SchemaProblems(json));
    }

    [Fact]
    public void A_sleep_until_a_time_validates_against_the_schema()
    {
        Assert.Equal("", SchemaProblems("""{ "id": "w", "steps": [ { "id": "s", "type": "sleep", "until": "input.deliverAt" } ] }"""));
    }

    [Fact]
    public void Each_node_type_has_the_same_properties_in_the_schema_as_its_reader_accepts()
    {
        var definitions = JsonNode.Parse(File.ReadAllText(RepositoryFiles.SchemaPath))!["definitions"]!;
        string[] common = ["id", "type", "name", "description"];
        foreach (var node in SagaWorkflows.Core.Nodes.NodeTypes.All)
        {
            var inSchema = definitions[$"{node.Name}Step"]!["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);

            Assert.Equal(common.Concat(node.Properties).Order(StringComparer.Ordinal), inSchema);
        }
    }

    [Theory]
    [InlineData("""{ "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""")]
    [InlineData("""{ "id": "", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""")]
    [InlineData("""{ "id": "w", "steps": [] }""")]
    [InlineData("""{ "id": "w", "version": 0, "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""")]
    [InlineData("""{ "id": "w", "author": "me", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""")]
    [InlineData("""{ "id": "w", "inputSchema": "object", "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""")]
    public void Workflows_the_parser_refuses_the_schema_refuses_too(string json)
    {
        Assert.False(WorkflowDefinitionParser.Parse(json).IsValid);
        Assert.NotEqual("", SchemaProblems(json));
    }
}
