using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Schemas;

namespace SagaWorkflows.Core.Tests.Schemas;

/// <summary>
/// Schemas in definitions come from whoever may send a definition: none may make the engine read a file or call a URL
/// (a <c>$ref</c> NJsonSchema would otherwise resolve), and self-contained ones keep working.
/// </summary>
public sealed class SchemaValidatorTests : IDisposable
{
    /// <summary>Stands where an attacker's <c>$ref</c> points: any connection to it would be a fetch.</summary>
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public SchemaValidatorTests() => _listener.Start();

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose() => _listener.Dispose();

    /// <summary>A workflow with <paramref name="schema"/> in each place a definition holds one.</summary>
    private static string WithSchemaIn(string place, string schema) => place switch
    {
        "inputSchema" => $$"""{ "id": "w", "inputSchema": {{schema}}, "steps": [ { "id": "a", "type": "tool", "tool": "echo" } ] }""",
        "wait" => $$"""{ "id": "w", "steps": [ { "id": "a", "type": "wait", "signal": "go", "schema": {{schema}} } ] }""",
        _ => $$"""{ "id": "w", "steps": [ { "id": "a", "type": "ai", "model": "default", "prompt": "Hi", "outputSchema": {{schema}} } ] }""",
    };

    private static string PathOf(string place) => place switch
    {
        "inputSchema" => "$.inputSchema",
        "wait" => "$.steps[0].schema",
        _ => "$.steps[0].outputSchema",
    };

    [Theory]
    [InlineData("inputSchema", "http://127.0.0.1:{port}/x")]
    [InlineData("wait", "http://127.0.0.1:{port}/x#/definitions/person")]
    [InlineData("ai", "https://127.0.0.1:{port}/x")]
    [InlineData("inputSchema", "file:///etc/passwd")]
    [InlineData("ai", "/etc/passwd")]
    [InlineData("wait", "person.json#/definitions/person")]
    public void A_definition_whose_schema_has_an_external_ref_is_refused_at_its_path_and_nothing_is_fetched(string place, string reference)
    {
        var target = reference.Replace("{port}", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var schema = $$"""{ "type": "object", "properties": { "who": { "$ref": "{{target}}" } } }""";

        var result = WorkflowDefinitionParser.Parse(WithSchemaIn(place, schema));

        Assert.Null(result.Definition);
        var error = Assert.Single(result.Errors);
        Assert.Equal(PathOf(place), error.Path);
        Assert.StartsWith($"external $ref is not allowed ('{target}')", error.Message, StringComparison.Ordinal);
        Assert.False(_listener.Pending(), "the schema's $ref was fetched");
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/x")]
    [InlineData("file:///etc/passwd")]
    public void Validating_against_a_schema_with_an_external_ref_throws_without_fetching_it(string reference)
    {
        // Whoever calls the validator with a schema no definition check saw (a stored definition, a worker's outputSchema).
        var target = reference.Replace("{port}", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var schema = JsonNode.Parse($$"""{ "properties": { "who": { "$ref": "{{target}}" } } }""")!;

        Assert.ThrowsAny<InvalidOperationException>(() => SchemaValidator.Validate(schema, JsonNode.Parse("""{ "who": 1 }""")));
        Assert.False(_listener.Pending(), "the schema's $ref was fetched");
    }

    [Theory]
    [InlineData("inputSchema")]
    [InlineData("wait")]
    [InlineData("ai")]
    public void Internal_refs_still_work(string place)
    {
        const string Schema = """
            { "type": "object", "required": ["who"], "properties": { "who": { "$ref": "#/definitions/person" } },
              "definitions": { "person": { "type": "object", "required": ["name"] } } }
            """;

        var result = WorkflowDefinitionParser.Parse(WithSchemaIn(place, Schema));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var schema = JsonNode.Parse(Schema)!;
        Assert.Empty(SchemaValidator.Validate(schema, JsonNode.Parse("""{ "who": { "name": "Ada" } }""")));
        Assert.Equal(["$.who.name: is required"], SchemaValidator.Validate(schema, JsonNode.Parse("""{ "who": { } }""")));
    }
}
