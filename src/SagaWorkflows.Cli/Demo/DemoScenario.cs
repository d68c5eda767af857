using System.Text.Json;

namespace SagaWorkflows.Cli.Demo;

/// <summary>One sample run of the demo (or the runs of a schedule): which sample, with what input, what it shows, how it must end.</summary>
internal sealed record DemoScenario(string Sample, string Shows, string ExpectedOutcome, string? ExpectedStatus = null)
{
    /// <summary>What the demo calls it: the sample's name unless set.</summary>
    public string Title { get => field ?? Sample; init; }

    /// <summary>A signal the demo sends, playing the human, when the run starts waiting for it.</summary>
    public (string Signal, object Payload)? AutoSignal { get; init; }

    /// <summary>
    /// A downstream service (of the <c>downstream</c> demo tool) that is down when the run starts. The run must fail
    /// without compensating; then the demo, playing the operator, ends the outage and redrives it.
    /// </summary>
    public string? Outage { get; init; }

    /// <summary>Instead of starting a run itself, the demo adds this schedule of the sample and lets it start the runs.</summary>
    public DemoSchedule? Schedule { get; init; }

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
        new("redrive", "a run fails while a downstream service is down; once it is back, the run is redriven from the failed step",
            "workflow-complete")
        {
            Outage = "carrier",
        },
        new("hello", "a schedule starting a run every 2 seconds, removed once it has started two", "workflow-complete")
        {
            Title = "schedule",
            Schedule = new("demo-hello-every-2s", "PT2S", Runs: 2),
        },
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

/// <summary>A schedule the demo adds (as <c>sagawf schedule add</c> does), then removes once it has started <paramref name="Runs"/> runs.</summary>
internal sealed record DemoSchedule(string Id, string Interval, int Runs);
