using System.Text.Json;
using SagaWorkflows.Contracts;
using SagaWorkflows.Testing;
using SagaWorkflows.WorkerSdk.Samples;

namespace SagaWorkflows.TestKit.Tests;

/// <summary>
/// Every sample definition in <c>samples/</c>, with its input from <c>samples/inputs</c>, run in the test kit on the
/// sample worker's demo tools and offline model: what <c>sagawf demo</c> shows, checked without a broker.
/// </summary>
public sealed class SampleWorkflowsTests : IAsyncLifetime
{
    private WorkflowTestKit _kit = null!;

    public async Task InitializeAsync() => _kit = await WorkflowTestKit.StartAsync(o => o.AddWorker(w => w.AddDemoTools()));

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    private static string Sample(string name) => Path.Combine(RepositoryPaths.Root, "samples", name + ".json");

    private static JsonElement Input(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "inputs", name + ".json"))).RootElement;

    [Theory]
    [InlineData("hello")]
    [InlineData("control-flow")]
    [InlineData("order-fulfillment")]
    public async Task The_sample_completes(string sample)
    {
        var run = await _kit.StartFileAsync(Sample(sample), Input(sample));

        await run.CompletedAsync();

        Assert.All(run.Snapshot.Steps, step => Assert.Equal(StepStatus.Completed, step.Status));
    }

    [Fact]
    public async Task The_order_samples_flaky_reservation_succeeds_on_its_third_attempt()
    {
        var run = await _kit.StartFileAsync(Sample("order-fulfillment"), Input("order-fulfillment"));

        await run.CompletedAsync();

        Assert.Equal(3, run.Step("reserve").Attempts);
        run.ShouldHaveEvents("step-retry reserve", "step-retry reserve", "step-complete reserve", "step-complete summary", "workflow-complete");
    }

    [Fact]
    public async Task The_approval_sample_waits_for_its_signal()
    {
        var run = await _kit.StartFileAsync(Sample("approval"), Input("approval"));

        await run.WaitForEventAsync(LifecycleEventTypes.StepSuspended);
        await run.SignalAsync("approval", new { approved = true, by = "ada" });

        await run.CompletedAsync();
        Assert.Equal(StepStatus.Completed, run.Snapshot.Steps[0].Status);
    }

    [Fact]
    public async Task The_compensation_sample_undoes_charge_then_reserve()
    {
        var run = await _kit.StartFileAsync(Sample("compensation"), Input("compensation"));

        await run.FailedAsync();

        run.ShouldHaveEvents("step-complete reserve", "step-complete charge", "step-error ship", "compensation-start",
            "step-compensated charge", "step-compensated reserve", "compensation-complete", "workflow-error");
        Assert.Equal(CompensationStatus.Compensated, run.Snapshot.Compensation);
    }
}
