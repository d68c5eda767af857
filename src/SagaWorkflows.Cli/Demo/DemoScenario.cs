using System.Text.Json;

namespace SagaWorkflows.Cli.Demo;

/// <summary>One sample run of the demo: which sample, with what input, what it shows, how it must end.</summary>
internal sealed record DemoScenario(string Sample, string Shows, string ExpectedOutcome, string? ExpectedStatus = null)
{
    /// <summary>A signal the demo sends, playing the human, when the run starts waiting for it.</summary>
    public (string Signal, object Payload)? AutoSignal { get; init; }

    public static IReadOnlyList<DemoScenario> All { get; } =
    [
        new("hello", "sequential tool steps passing data along", "workflow-complete"),
        new("control-flow", "parallel, foreach, loop, branch and a durable sleep", "workflow-complete"),
        new("order-fulfillment", "a flaky step retried with backoff, an AI step, nested control flow", "workflow-complete"),
        new("approval", "a wait for a human signal, validated by a schema", "workflow-complete")
        {
            AutoSignal = ("approval", new { approved = true, by = "demo", comment = "sent by sagawf demo" }),
        },
        new("compensation", "a failed run whose completed steps are compensated in reverse order", "workflow-error", "Compensated"),
        new("child-runs", "a foreach of child runs (workflow steps); one child fails and the parent undoes the children in reverse order",
            "workflow-error", "Compensated"),
    ];

    public string Definition => Read($"samples/{Sample}.json");

    public JsonElement? Input => Exists($"samples/inputs/{Sample}.json") ? JsonDocument.Parse(Read($"samples/inputs/{Sample}.json")).RootElement : null;

    private static bool Exists(string name) => typeof(DemoScenario).Assembly.GetManifestResourceInfo(name) is not null;

    private static string Read(string name)
    {
        using var stream = typeof(DemoScenario).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the demo's sample {name} is not embedded in sagawf");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
