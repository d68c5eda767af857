using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>
/// The golden fixtures of the run projection (<c>tests/fixtures/run-projection/*.json</c>): lifecycle events in the
/// order a consumer might receive them, and the <see cref="RunSnapshot"/> they must fold into. The C# tests fold
/// them with <see cref="RunProjection"/>; the browser test has the bridge relay them and checks what the page shows.
/// Set <c>SAGAWF_UPDATE_FIXTURES=1</c> to rewrite the expected snapshots after a deliberate change (then review the diff).
/// </summary>
public sealed record ProjectionFixture(string Name, string Description, IReadOnlyList<WorkflowLifecycleEvent> Events, JsonNode? Snapshot)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonSerializerOptions Indented = new(Json) { WriteIndented = true };

    public static string Directory => Path.Combine(TestPaths.RepositoryRoot() ?? throw new InvalidOperationException(
        "the golden fixtures are read from the checkout, and no SagaWorkflows.sln was found above " + AppContext.BaseDirectory),
        "tests", "fixtures", "run-projection");

    public static bool Updating => Environment.GetEnvironmentVariable("SAGAWF_UPDATE_FIXTURES") == "1";

    public static IReadOnlyList<ProjectionFixture> All() =>
        [.. System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal).Select(Load)];

    public static ProjectionFixture Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var events = root["events"]!.AsArray().Select(e => e.Deserialize<WorkflowLifecycleEvent>(Json)!).ToList();
        return new ProjectionFixture(Path.GetFileNameWithoutExtension(path), (string?)root["description"] ?? "", events, root["snapshot"]);
    }

    public static JsonNode ToJson(RunSnapshot snapshot) => JsonSerializer.SerializeToNode(snapshot, Json)!;

    /// <summary>Writes <paramref name="snapshot"/> as the fixture's expectation, keeping one event per line.</summary>
    public void Save(JsonNode snapshot)
    {
        var text = new StringBuilder();
        text.Append("{\n  \"description\": ").Append(JsonSerializer.Serialize(Description)).Append(",\n  \"events\": [\n");
        for (var i = 0; i < Events.Count; i++)
        {
            text.Append("    ").Append(JsonSerializer.Serialize(Events[i], Json)).Append(i < Events.Count - 1 ? ",\n" : "\n");
        }

        var expected = snapshot.ToJsonString(Indented).Replace("\n", "\n  ", StringComparison.Ordinal);
        text.Append("  ],\n  \"snapshot\": ").Append(expected).Append("\n}\n");
        File.WriteAllText(Path.Combine(Directory, Name + ".json"), text.ToString());
    }

    public override string ToString() => Name;
}
