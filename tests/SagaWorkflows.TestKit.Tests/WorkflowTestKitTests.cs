using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SagaWorkflows.Contracts;
using SagaWorkflows.Definitions;
using SagaWorkflows.Testing;
using SagaWorkflows.WorkerSdk.Tools;
using Xunit.Abstractions;

namespace SagaWorkflows.TestKit.Tests;

/// <summary>The kit as a user drives it: their tool classes, a definition, the run's events; time skipped.</summary>
public sealed class WorkflowTestKitTests(ITestOutputHelper log) : IAsyncLifetime
{
    private readonly Ledger _ledger = new();
    private WorkflowTestKit _kit = null!;

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();
        _kit = await WorkflowTestKit.StartAsync(o => o
            .ConfigureServices(s => s.AddSingleton(_ledger))
            .AddWorker(w => w
                .AddTool<FlakyCharge>()
                .AddTool<Reserve>()
                .AddTool<Release>()
                .AddTool("echo", (input, _) => Task.FromResult(input))
                .AddTool("payments.refuse", (_, _) => throw new ToolException("CardDeclined", "the card was declined"))));
        log.WriteLine($"the kit started in {watch.Elapsed}");
    }

    public async Task DisposeAsync()
    {
        var watch = Stopwatch.StartNew();
        await _kit.DisposeAsync();
        log.WriteLine($"the kit stopped in {watch.Elapsed}");
    }

    private static readonly Workflow RetryThenSleep = Workflow.Define("retry-then-sleep")
        .Steps(
            Step.Tool("charge", "payments.charge")
                .Input(new { amount = "${ input.amount }" })
                .Retry(new RetryPolicy { MaxAttempts = 5, InitialInterval = TimeSpan.FromMinutes(1), BackoffRate = 2 }),
            Step.Sleep("cooldown", TimeSpan.FromHours(1)))
        .Output(new { charged = "${ steps.charge.charged }" });

    [Fact]
    public async Task A_run_with_a_retry_and_a_one_hour_sleep_completes_in_well_under_a_second_of_real_time()
    {
        var clockBefore = _kit.Now;
        var watch = Stopwatch.StartNew();
        var run = await _kit.StartAsync(RetryThenSleep, new { amount = 25.5 });
        var output = await run.CompletedAsync();
        watch.Stop();

        log.WriteLine($"the run took {watch.Elapsed} of real time\n{run}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed} of real time\n{run}");
        Assert.Equal(25.5, output!["charged"]!.GetValue<double>());
        run.ShouldHaveEvents("step-retry charge", "step-complete charge", "step-start cooldown", "step-complete cooldown", "workflow-complete");
        Assert.Equal(2, run.Step("charge").Attempts);
        Assert.Single(run.Step("charge").Retries);
        Assert.Equal(["charge attempt 1", "charge attempt 2"], _ledger.Calls.Where(c => c.StartsWith("charge", StringComparison.Ordinal)));

        // The retry waited a minute, the sleep an hour, on the run's clock (a retry event is stamped when the run
        // hears of it, a moment after the worker scheduled the next attempt: hence the second of slack).
        var events = run.Events;
        var sleepStart = events.Single(e => e.Type == LifecycleEventTypes.StepStart && e.Path == "cooldown").Timestamp;
        var sleepEnd = events.Single(e => e.Type == LifecycleEventTypes.StepComplete && e.Path == "cooldown").Timestamp;
        Assert.InRange(sleepEnd - sleepStart, TimeSpan.FromHours(1), TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30));
        var retries = events.Where(e => e.Path == "charge" && e.Type is LifecycleEventTypes.StepRetry or LifecycleEventTypes.StepComplete).Select(e => e.Timestamp).ToList();
        Assert.InRange(retries[1] - retries[0], TimeSpan.FromSeconds(59), TimeSpan.FromMinutes(1.5));
        Assert.True(_kit.Now - clockBefore >= TimeSpan.FromMinutes(61), $"the clock moved {_kit.Now - clockBefore}");
    }

    [Fact]
    public async Task A_wait_step_resumes_with_the_signal_payload()
    {
        var approval = Workflow.Define("approval")
            .Steps(
                Step.Wait("approve", "approval").Timeout(TimeSpan.FromDays(1)),
                Step.Tool("record", "echo").Input(new { approvedBy = "${ steps.approve.by }" }))
            .Output(new { approvedBy = "${ steps.record.approvedBy }" });

        var run = await _kit.StartAsync(approval);
        await run.WaitForEventAsync(LifecycleEventTypes.StepSuspended, "approve");
        Assert.Equal(StepStatus.Waiting, run.Step("approve").Status);

        await run.SignalAsync("approval", new { by = "ada" });
        var output = await run.CompletedAsync();

        Assert.Equal("ada", output!["approvedBy"]!.GetValue<string>());
        run.ShouldHaveEvents("step-suspended approve", "step-complete approve", "step-complete record", "workflow-complete");
    }

    [Fact]
    public async Task A_wait_nobody_answers_times_out_on_the_test_clock_without_waiting_a_day()
    {
        var run = await _kit.StartAsync(Workflow.Define("unanswered").Steps(Step.Wait("approve", "approval").Timeout(TimeSpan.FromDays(1))));

        var failed = await run.FailedAsync();

        Assert.Equal(StepStatus.Failed, run.Step("approve").Status);
        Assert.True(failed.Timestamp - run.Events[0].Timestamp >= TimeSpan.FromDays(1), run.ToString());
    }

    [Fact]
    public async Task A_failed_run_compensates_the_completed_steps_with_the_users_compensation_tool()
    {
        var order = Workflow.Define("refused-order")
            .Steps(
                Step.Tool("reserve", "inventory.reserve").Input(new { sku = "book" })
                    .Compensate("inventory.release", new { reservationId = "${ steps.reserve.reservationId }" }),
                Step.Tool("charge", "payments.refuse").Retry(new RetryPolicy { MaxAttempts = 3, NonRetryable = ["CardDeclined"] }));

        var run = await _kit.StartAsync(order);
        await run.FailedAsync();

        run.ShouldHaveEvents("step-complete reserve", "step-error charge", "compensation-start", "step-compensated reserve", "compensation-complete",
            "workflow-error");
        Assert.Equal(1, run.Step("charge").Attempts);
        Assert.Equal(CompensationStatus.Compensated, run.Step("reserve").Compensation);
        Assert.Contains("release R-book (compensation: True)", _ledger.Calls);
    }

    [Fact]
    public async Task Without_time_skipping_the_clock_moves_only_when_the_test_advances_it()
    {
        await using var manual = await WorkflowTestKit.StartAsync(o => o.SkipTime = false);
        var run = await manual.StartAsync(Workflow.Define("nap").Steps(Step.Sleep("nap", TimeSpan.FromMinutes(10))));
        await run.WaitForEventAsync(LifecycleEventTypes.StepStart, "nap");

        await manual.AdvanceAsync(TimeSpan.FromMinutes(9));
        Assert.Null(run.Outcome);
        Assert.Equal(StepStatus.Running, run.Step("nap").Status);

        await manual.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(LifecycleEventTypes.WorkflowComplete, run.Outcome?.Type);

        var waiting = await manual.StartAsync(Workflow.Define("never").Steps(Step.Wait("w", "go")));
        await waiting.WaitForEventAsync(LifecycleEventTypes.StepSuspended, "w");
        var unfinished = await Assert.ThrowsAsync<WorkflowTestException>(() => waiting.FinishedAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Contains("did not finish within", unfinished.Message, StringComparison.Ordinal);
        Assert.Contains("step w waits for signal 'go'", unfinished.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_say_what_happened_with_the_runs_events()
    {
        var run = await _kit.StartAsync(Workflow.Define("refused").Steps(
            Step.Tool("charge", "payments.refuse").Retry(new RetryPolicy { MaxAttempts = 1 })));

        var notCompleted = await Assert.ThrowsAsync<WorkflowTestException>(() => run.CompletedAsync());
        Assert.Contains("ended with workflow-error, not workflow-complete", notCompleted.Message, StringComparison.Ordinal);
        Assert.Contains("CardDeclined", notCompleted.Message, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+1 \S+ workflow-start", notCompleted.Message);

        var missing = Assert.Throws<WorkflowTestException>(() => run.ShouldHaveEvents("step-error charge", "step-compensated charge"));
        Assert.Contains("'step-compensated charge' is missing after event", missing.Message, StringComparison.Ordinal);

        var noStep = Assert.Throws<WorkflowTestException>(() => run.Step("reserve"));
        Assert.Contains("its steps: charge", noStep.Message, StringComparison.Ordinal);

        var invalid = await Assert.ThrowsAsync<WorkflowTestException>(() =>
            _kit.StartAsync("""{ "id": "bad", "version": 1, "steps": [ { "id": "x", "type": "tool" } ] }"""));
        Assert.Contains("$.steps[0]", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Definitions_run_from_a_file_and_by_id()
    {
        using (var folder = new TempDirectory("testkit-"))
        {
            var file = folder.Combine("from-file.json");
            await File.WriteAllTextAsync(file, Workflow.Define("from-file").Steps(Step.Tool("hello", "echo").Input(new { said = "${ input.word }" }))
                .Output(new { said = "${ steps.hello.said }" }).ToJson());
            var fromFile = await _kit.StartFileAsync(file, new { word = "hi" });
            Assert.Equal("hi", (await fromFile.CompletedAsync())!["said"]!.GetValue<string>());
        }

        await using var registered = await WorkflowTestKit.StartAsync(o => o
            .AddWorker(w => w.AddTool("echo", (input, _) => Task.FromResult(input)))
            .AddDefinition(Workflow.Define("greet").Version(2).Steps(Step.Tool("hello", "echo")).Output(new { n = "${ input.n }" })));
        var byId = await registered.StartRegisteredAsync("greet", new { n = 7 });
        Assert.Equal(7, (await byId.CompletedAsync())!["n"]!.GetValue<int>());
        var unknown = await Assert.ThrowsAsync<WorkflowTestException>(() => registered.StartRegisteredAsync("nope"));
        Assert.Contains("it knows: greet v2", unknown.Message, StringComparison.Ordinal);
    }
}
