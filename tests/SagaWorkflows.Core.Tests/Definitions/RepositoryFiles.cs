using SagaWorkflows.Testing;

namespace SagaWorkflows.Core.Tests.Definitions;

/// <summary>Finds files of the repository (samples, schema) from wherever the tests were built.</summary>
internal static class RepositoryFiles
{
    public static string Root => RepositoryPaths.Root;

    public static string SamplesDirectory => Path.Combine(Root, "samples");

    public static string SchemaPath => Path.Combine(Root, "schemas", "workflow.schema.json");

    /// <summary>The sample definitions (not their inputs under <c>samples/inputs</c>), minus the deliberately invalid one.</summary>
    public static IEnumerable<string> ValidSampleNames() =>
        Directory.EnumerateFiles(SamplesDirectory, "*.json", SearchOption.TopDirectoryOnly)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => name != "invalid.json")
            .Order(StringComparer.Ordinal);

}
