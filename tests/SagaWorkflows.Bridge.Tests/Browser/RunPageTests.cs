using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SagaWorkflows.Bridge.Tests.Browser;

/// <summary>The live page in headless Chromium, fed by events published while it is open.</summary>
[Trait("Category", "Browser")]
public sealed class RunPageTests : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Patiently = new() { Timeout = 10_000 };
    private static readonly string[] ChargeStep = ["charge"];

    private BridgeServer _bridge = null!;
    private BrowserSession _browser = null!;

    public async Task InitializeAsync()
    {
        _bridge = await BridgeServer.StartAsync();
        _browser = await BrowserSession.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _bridge.DisposeAsync();
    }

    [Fact]
    public async Task The_run_page_shows_steps_turning_complete_live_with_retries_nesting_and_compensation()
    {
        var run = new TestRun();
        var events = Scenarios.FailingOrder(run);
        var page = await _browser.NewPageAsync(new ViewportSize { Width = 1280, Height = 1100 });

        // The run has begun when the page opens: reserve is running. These events carry no definition (an older
        // orchestrator's), so the graph is drawn from the snapshot's step tree.
        await _bridge.PublishAsync(events.Take(2));
        await _bridge.WaitForConsumedAsync(2);
        await page.GotoAsync(new Uri(_bridge.BaseAddress, $"/runs/{run.RunId}").ToString());
        var reserve = page.Locator(".box[data-path='reserve']");
        await Expect(reserve).ToHaveAttributeAsync("data-status", "running", Patiently);
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Running");

        // A retry, then the second attempt completes.
        await _bridge.PublishAsync(events.Skip(2).Take(3));
        await Expect(reserve).ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Expect(reserve).ToHaveAttributeAsync("data-attempts", "2");
        await Expect(reserve.Locator(".attempt")).ToHaveTextAsync("attempt 2");
        await reserve.ClickAsync();
        await Expect(page.Locator("#details-body[data-path='reserve'] .attempt-failed")).ToContainTextAsync("attempt 1 failed");
        await Expect(page.Locator("#details-body[data-path='reserve'] .attempt-failed")).ToContainTextAsync("inventory busy");
        await Expect(page.Locator("#details-body[data-path='reserve'] .attempt-failed")).ToContainTextAsync("attempt 2 after 1.00 s");

        // Parallel branches, loop iterations and foreach items, each inside its step's container.
        await _bridge.PublishAsync(events.Skip(5).Take(16)); // up to perItem[0].charge complete
        await Expect(page.Locator(".group[data-group='ship'] .box[data-path='ship.makeLabel']"))
            .ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Expect(page.Locator(".group[data-group='poll'] .chip[data-path='poll#2']")).ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Expect(page.Locator(".group[data-group='poll'] .box[data-path='poll#2.check']")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(page.Locator(".group[data-group='perItem'] .chip[data-path='perItem[0]']")).ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Expect(page.Locator(".box[data-path='perItem[1].charge']")).ToHaveAttributeAsync("data-status", "running");

        // A charge fails: the run compensates what completed, then fails.
        await _bridge.PublishAsync(events.Skip(21));
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Failed", new() { Timeout = 10_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "ended", Patiently);
        await Expect(page.Locator(".box[data-path='perItem[1].charge']")).ToHaveAttributeAsync("data-status", "failed", Patiently);
        await page.Locator(".box[data-path='perItem[1].charge']").ClickAsync();
        await Expect(page.Locator("#details-body [data-block='Error']")).ToContainTextAsync("card declined");
        await Expect(reserve).ToHaveAttributeAsync("data-status", "compensated");
        await Expect(reserve).ToHaveAttributeAsync("data-compensation", "Compensated");
        await Expect(reserve.Locator(".box-note")).ToHaveTextAsync("↺ undone 2nd");
        await Expect(page.Locator("#run-compensation")).ToHaveTextAsync("↺ compensated");
        await Expect(page.Locator("#compensation-list > li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#events tr.type-step-retry")).ToHaveCountAsync(1);
        await Expect(page.Locator("#events tr.type-step-compensated")).ToHaveCountAsync(2);
        await Expect(page.Locator("#events tr")).ToHaveCountAsync(events.Count);

        var screenshot = await BrowserSession.ScreenshotAsync(page, "run-page");
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"the screenshot at {screenshot} looks empty");
        Assert.Empty(_browser.Errors(page));
    }

    [Fact]
    public async Task A_failed_run_gets_a_Redrive_button_and_the_page_follows_the_run_going_on()
    {
        var run = new TestRun();
        var error = new { type = "Boom", message = "it broke", path = "charge" };
        await _bridge.PublishAsync([
            run.Event(1, Contracts.LifecycleEventTypes.WorkflowStart),
            run.Event(2, Contracts.LifecycleEventTypes.StepStart, "charge", 1),
            run.Event(3, Contracts.LifecycleEventTypes.StepError, "charge", 1, new { error }),
            run.Event(4, Contracts.LifecycleEventTypes.WorkflowError, data: new { error, status = "Failed", redrivable = true }),
        ]);
        await _bridge.WaitForConsumedAsync(4);
        var redrives = await _bridge.CaptureAsync<Contracts.RedriveWorkflow>();
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(_bridge.BaseAddress, $"/runs/{run.RunId}").ToString());
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "ended", Patiently);
        var redrive = page.Locator("#redrive");
        await Expect(redrive).ToBeVisibleAsync(new() { Timeout = 10_000 });

        // The test plays the orchestrator: the command arrives, the run goes on.
        var answered = Task.Run(async () =>
        {
            var command = await redrives.WaitForAsync(r => r.RunId == run.RunId);
            Assert.Equal(4, command.AfterSequence);
            await _bridge.PublishAsync([
                run.Event(5, Contracts.LifecycleEventTypes.WorkflowRedriven, data: new { redrive = 1, afterSequence = 4, error, steps = ChargeStep }),
                run.Event(6, Contracts.LifecycleEventTypes.StepStart, "charge", 1),
            ]);
        });
        await redrive.ClickAsync();
        await answered;

        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Running", new() { Timeout = 10_000 });
        await Expect(page.Locator(".box[data-path='charge']")).ToHaveAttributeAsync("data-status", "running", Patiently);
        await Expect(redrive).ToBeHiddenAsync();
        await _bridge.PublishAsync([
            run.Event(7, Contracts.LifecycleEventTypes.StepComplete, "charge", 1, new { output = "ok" }),
            run.Event(8, Contracts.LifecycleEventTypes.WorkflowComplete, data: new { output = "ok" }),
        ]);
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed", new() { Timeout = 10_000 });
        await Expect(page.Locator("#events tr")).ToHaveCountAsync(8);
    }

    [Fact]
    public async Task The_runs_page_lists_runs_and_links_to_each()
    {
        var run = new TestRun("listed-flow");
        await _bridge.PublishAsync(run.Simple(1));
        await _bridge.WaitForConsumedAsync(4);
        var page = await _browser.NewPageAsync();

        await page.GotoAsync(_bridge.BaseAddress.ToString());
        var row = page.Locator($"tr[data-run-id='{run.RunId}']");
        await Expect(row).ToHaveAttributeAsync("data-status", "Completed", Patiently);
        await Expect(row).ToContainTextAsync("listed-flow");

        // A run that starts while the list is open appears without a reload.
        var later = new TestRun("later-flow");
        await _bridge.PublishAsync(later.Event(1, Contracts.LifecycleEventTypes.WorkflowStart));
        await Expect(page.Locator($"tr[data-run-id='{later.RunId}']")).ToHaveAttributeAsync("data-status", "Running", Patiently);

        await BrowserSession.ScreenshotAsync(page, "runs-page");

        // Filters narrow the list, and are kept in the address.
        await page.Locator("#filters input[name=workflowId]").FillAsync("later-flow");
        await page.Locator("#filters button[type=submit]").ClickAsync();
        await Expect(page.Locator("#runs tr[data-run-id]")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Expect(page.Locator($"tr[data-run-id='{later.RunId}']")).ToBeVisibleAsync();
        Assert.Contains("workflowId=later-flow", page.Url, StringComparison.Ordinal);
        await page.Locator("#filters select[name=status]").SelectOptionAsync("Completed");
        await Expect(page.Locator("#runs")).ToContainTextAsync("No run matches these filters.", new() { Timeout = 10_000 });
        await page.Locator("#filters button[type=reset]").ClickAsync();
        await page.Locator("#filters input[name=runId]").FillAsync(run.RunId.ToString()[..13]);
        await page.Locator("#filters button[type=submit]").ClickAsync();
        await Expect(page.Locator("#runs tr[data-run-id]")).ToHaveCountAsync(1, new() { Timeout = 10_000 });

        await row.Locator("a").ClickAsync();
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed", new() { Timeout = 10_000 });
        await Expect(page.Locator(".box[data-path='step1']")).ToHaveAttributeAsync("data-status", "completed", Patiently);
    }

    [Fact]
    public async Task With_api_keys_the_page_asks_for_one_then_draws_the_run_and_sends_a_signal_from_its_form()
    {
        const string key = "k-page-7c1d";
        await using var bridge = await BridgeServer.StartAsync(new Dictionary<string, string?> { ["SagaWorkflows:Bridge:ApiKeys:0"] = key });
        var signals = await bridge.CaptureAsync<Contracts.SignalWorkflow>();
        var run = new TestRun("keyed");
        var definition = new
        {
            id = "keyed",
            version = 1,
            steps = new object[]
            {
                new { id = "hold", type = "wait", signal = "go", schema = new { type = "object", properties = new { count = new { type = "integer" } } } },
            },
        };
        await bridge.PublishAsync(run.Event(1, Contracts.LifecycleEventTypes.WorkflowStart, data: new { input = new { }, version = 1, definition }));
        await bridge.PublishAsync(run.Event(2, Contracts.LifecycleEventTypes.StepStart, "hold", data: new { input = new { } }, stepType: "wait"));
        await bridge.PublishAsync(run.Event(3, Contracts.LifecycleEventTypes.StepSuspended, "hold", data: new { signal = "go" }, stepType: "wait"));
        await bridge.WaitForConsumedAsync(3);

        var page = await _browser.NewPageAsync();
        var asked = 0;
        Task? answered = null;
        page.Dialog += (_, dialog) =>
        {
            asked++;
            answered = dialog.AcceptAsync(key);
        };
        await page.GotoAsync(new Uri(bridge.BaseAddress, $"/runs/{run.RunId}").ToString());

        var hold = page.Locator(".box[data-path='hold']");
        await Expect(hold).ToHaveAttributeAsync("data-status", "waiting", new() { Timeout = 20_000 });
        Assert.Equal(1, asked);
        await answered!;
        var form = page.Locator("form.signal-form[data-path='hold']");
        await form.Locator("input[data-field='payload.count']").FillAsync("3");
        await form.Locator("button[type=submit]").ClickAsync();
        await Expect(form.Locator(".signal-result")).ToHaveAttributeAsync("data-state", "sent", Patiently);

        var sent = await signals.WaitForAsync(s => s.RunId == run.RunId);
        Assert.Equal("go", sent.Signal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"count":3}"""),
            JsonNode.Parse(sent.Payload!.Value.GetRawText())), sent.Payload.Value.GetRawText());
    }

    /// <summary>
    /// The golden fixtures through the whole path: the bridge relays each fixture's events (scrambled, repeated or with
    /// a gap, as the fixture has them), its <c>GET /runs/{runId}</c> answers the fixture's snapshot, and the page's graph
    /// draws exactly that: the run's status, and for every step a box (every iteration a chip) with its status, attempts
    /// and compensation, inside its container. The fixtures carry no definition, so the graph is drawn from the snapshot;
    /// a step inside an iteration is looked at after choosing that iteration.
    /// </summary>
    [Fact]
    public async Task The_page_draws_the_bridges_snapshot_of_every_golden_fixture()
    {
        var fixtures = ProjectionFixture.All();
        foreach (var fixture in fixtures)
        {
            await _bridge.PublishAsync(fixture.Events);
        }

        await _bridge.WaitForConsumedAsync(fixtures.Sum(f => f.Events.Count), TimeSpan.FromSeconds(30));
        var page = await _browser.NewPageAsync();
        foreach (var fixture in fixtures)
        {
            var expected = fixture.Snapshot!.AsObject();
            var runId = (string)expected["runId"]!;
            var answered = await _bridge.Client.GetFromJsonAsync<JsonObject>($"/runs/{runId}");
            answered!.Remove("createdAt");
            Assert.True(JsonNode.DeepEquals(expected, answered), $"{fixture.Name}: GET /runs/{runId} answered\n{answered}");

            await page.GotoAsync(new Uri(_bridge.BaseAddress, $"/runs/{runId}").ToString());
            await Expect(page.Locator("#run-sequence")).ToHaveTextAsync(((long)expected["lastSequence"]!).ToString(CultureInfo.InvariantCulture), new() { Timeout = 10_000 });
            await Expect(page.Locator("#run-status")).ToHaveTextAsync((string)expected["status"]!);
            await Expect(page.Locator("#run-compensation")).ToHaveTextAsync(expected["compensation"] is { } c ? CompensationText((string)c!) : "");

            foreach (var step in Flatten(expected["steps"]!.AsArray(), null, []))
            {
                var where = $"{fixture.Name}: {step.Path}";
                foreach (var (group, number, _) in step.Iterations)
                {
                    await page.Locator($".group[data-group='{group}'] > .iteration-bar .iteration-select").SelectOptionAsync(number);
                }

                if (step.Kind == "iteration")
                {
                    var chip = page.Locator($".group[data-group='{step.Parent}'] > .chips > .chip[data-path='{step.Path}']");
                    Assert.Equal(BoxStatus(step), await chip.GetAttributeAsync("data-status"));
                    continue;
                }

                // A step's box sits in its parent's container: the parent itself, or the container of its iteration.
                var container = step.Iterations.Count > 0 && step.Parent == step.Iterations[^1].Path
                    ? step.Iterations[^1].Container
                    : step.Parent;
                var box = page.Locator(container is null
                    ? $"#graph .box[data-path='{step.Path}']"
                    : $".group[data-group='{container}'] .box[data-path='{step.Path}']");
                await Expect(box).ToHaveCountAsync(1);
                Assert.True(BoxStatus(step) == await box.GetAttributeAsync("data-status"), $"{where}: {await box.GetAttributeAsync("data-status")}, want {BoxStatus(step)}");
                Assert.Equal(step.Attempts.ToString(CultureInfo.InvariantCulture), await box.GetAttributeAsync("data-attempts"));
                Assert.Equal(step.Compensation, await box.GetAttributeAsync("data-compensation"));
            }
        }
    }

    private static string CompensationText(string status) => status switch
    {
        "Compensating" => "↺ compensating",
        "Compensated" => "↺ compensated",
        _ => "↺ compensation failed",
    };

    /// <summary>A box's data-status for a snapshot step: its status in lower case, or its compensation's once undone.</summary>
    private static string BoxStatus(DrawnStep step) => step.Compensation switch
    {
        "CompensationFailed" => "compensation-failed",
        "Compensated" => "compensated",
        "Compensating" => "compensating",
        _ => step.Status.ToLowerInvariant(),
    };

    private sealed record DrawnStep(string Path, string Kind, string Status, int Attempts, string? Compensation, string? Parent,
        IReadOnlyList<(string Container, string Number, string Path)> Iterations);

    /// <summary>Each step with the path it is nested in and the iterations (container, number, path) to choose to see it.</summary>
    private static IEnumerable<DrawnStep> Flatten(JsonArray steps, string? parent, IReadOnlyList<(string Container, string Number, string Path)> iterations)
    {
        foreach (var step in steps.Select(s => s!.AsObject()))
        {
            var path = (string)step["path"]!;
            var kind = (string)step["kind"]!;
            yield return new DrawnStep(path, kind, (string)step["status"]!, (int)step["attempts"]!, (string?)step["compensation"], parent, iterations);
            var inner = iterations;
            if (kind == "iteration")
            {
                var number = ((int)step["iteration"]!).ToString(CultureInfo.InvariantCulture);
                inner = [.. iterations, (parent!, number, path)];
            }

            foreach (var child in Flatten(step["children"]!.AsArray(), path, inner))
            {
                yield return child;
            }
        }
    }
}
