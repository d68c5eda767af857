using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Core.Tests.Definitions;

/// <summary>Parses definitions for tests: valid ones to their records, invalid ones to exactly their problems.</summary>
internal static class DefinitionAssert
{
    public static WorkflowDefinition Parse(string json)
    {
        var result = WorkflowDefinitionParser.Parse(json);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        return result.Definition!;
    }

    /// <summary>The one step of a workflow around <paramref name="stepJson"/>, as a <typeparamref name="T"/>.</summary>
    public static T Single<T>(string stepJson) where T : StepDefinition =>
        Assert.IsType<T>(Assert.Single(Parse($$"""{ "id": "w", "steps": [ {{stepJson}} ] }""").Steps));

    /// <summary>Asserts exactly these problems, in this order, as <c>path: message</c>.</summary>
    public static void AssertErrors(string json, params string[] expected)
    {
        var result = WorkflowDefinitionParser.Parse(json);

        Assert.False(result.IsValid);
        Assert.Null(result.Definition);
        Assert.Equal(expected, result.Errors.Select(e => e.ToString()));
    }

    /// <summary>A valid workflow around one step, so only that step's problems are reported.</summary>
    public static void AssertStepErrors(string stepJson, params string[] expected) =>
        AssertErrors($$"""{ "id": "w", "steps": [ {{stepJson}} ] }""", expected);
}
