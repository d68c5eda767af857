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

    private BridgeServer _bridge = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _bridge = await BridgeServer.StartAsync();
        (_playwright, _browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _bridge.DisposeAsync();
    }

    [Fact]
    public async Task The_run_page_shows_steps_turning_complete_live_with_retries_nesting_and_compensation()
    {
        var run = new TestRun();
        var events = Scenarios.FailingOrder(run);
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1100 } });
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };

        // The run has begun when the page opens: reserve is running.
        await _bridge.PublishAsync(events.Take(2));
        await _bridge.WaitForConsumedAsync(2);
        await page.GotoAsync(new Uri(_bridge.BaseAddress, $"/runs/{run.RunId}").ToString());
        var reserve = page.Locator("li[data-path='reserve']");
        await Expect(reserve).ToHaveAttributeAsync("data-status", "Running", Patiently);
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Running");

        // A retry, then the second attempt completes.
        await _bridge.PublishAsync(events.Skip(2).Take(3));
        await Expect(reserve).ToHaveAttributeAsync("data-status", "Completed", Patiently);
        await Expect(reserve).ToHaveAttributeAsync("data-attempts", "2");
        await Expect(reserve.Locator(".retry")).ToContainTextAsync("retry after attempt 1");
        await Expect(reserve.Locator(".retry")).ToContainTextAsync("inventory busy");

        // Parallel branches, loop iterations and foreach items nest under their step.
        await _bridge.PublishAsync(events.Skip(5).Take(16)); // up to perItem[0].charge complete
        await Expect(page.Locator("li[data-path='ship'] li[data-path='ship.makeLabel']"))
            .ToHaveAttributeAsync("data-status", "Completed", Patiently);
        await Expect(page.Locator("li[data-path='poll'] > ul > li[data-path='poll#2'] li[data-path='poll#2.check']"))
            .ToHaveAttributeAsync("data-status", "Completed", Patiently);
        await Expect(page.Locator("li[data-path='perItem[0]'] li[data-path='perItem[0].charge']"))
            .ToHaveAttributeAsync("data-status", "Completed", Patiently);
        await Expect(page.Locator("li[data-path='perItem[1].charge']")).ToHaveAttributeAsync("data-status", "Running");

        // A charge fails: the run compensates what completed, then fails.
        await _bridge.PublishAsync(events.Skip(21));
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Failed", new() { Timeout = 10_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "ended", Patiently);
        await Expect(page.Locator("li[data-path='perItem[1].charge']")).ToHaveAttributeAsync("data-status", "Failed");
        await Expect(page.Locator("li[data-path='perItem[1].charge'] > .error")).ToContainTextAsync("CardDeclined: card declined");
        await Expect(reserve).ToHaveAttributeAsync("data-compensation", "Compensated");
        await Expect(reserve.Locator(".badge.compensation")).ToHaveTextAsync("↺ compensated");
        await Expect(page.Locator("#run-compensation")).ToHaveTextAsync("↺ compensated");
        await Expect(page.Locator("#events tr.type-step-retry")).ToHaveCountAsync(1);
        await Expect(page.Locator("#events tr.type-step-compensated")).ToHaveCountAsync(2);
        await Expect(page.Locator("#events tr")).ToHaveCountAsync(events.Count);

        var screenshot = Path.Combine(TestPaths.Artifacts("screenshots"), "run-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"the screenshot at {screenshot} looks empty");
        Assert.Empty(consoleErrors);
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

        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(TestPaths.Artifacts("screenshots"), "runs-page.png"),
            FullPage = true,
        });

        await row.Locator("a").ClickAsync();
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed", new() { Timeout = 10_000 });
        await Expect(page.Locator("li[data-path='step1']")).ToHaveAttributeAsync("data-status", "Completed");
    }

    /// <summary>
    /// The golden fixtures through the whole path: the bridge relays each fixture's events (scrambled, repeated or with
    /// a gap, as the fixture has them), its <c>GET /runs/{runId}</c> answers the fixture's snapshot, and the page draws
    /// exactly that: the run's status and every step with its kind, status, attempts and compensation.
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
            await Expect(page.Locator("#run-sequence")).ToHaveTextAsync(((long)expected["lastSequence"]!).ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 10_000 });
            await Expect(page.Locator("#run-status")).ToHaveTextAsync((string)expected["status"]!);
            await Expect(page.Locator("#run-compensation")).ToHaveTextAsync(expected["compensation"] is { } c ? CompensationText((string)c!) : "");

            var drawn = await page.EvaluateAsync<JsonElement>("""
                () => [...document.querySelectorAll('#steps li.node')].map(li => [
                  li.dataset.path, li.dataset.kind, li.dataset.status, li.dataset.attempts, li.dataset.compensation ?? null,
                  li.parentElement.closest('li.node')?.dataset.path ?? null])
                """);
            var shown = drawn.EnumerateArray().Select(n => string.Join(" ", n.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? "-" : v.GetString()))).ToList();
            var want = Flatten(expected["steps"]!.AsArray(), null).ToList();
            Assert.True(want.SequenceEqual(shown), $"{fixture.Name}: the page shows\n{string.Join('\n', shown)}\ninstead of\n{string.Join('\n', want)}");
        }
    }

    private static string CompensationText(string status) => status switch
    {
        "Compensating" => "↺ compensating",
        "Compensated" => "↺ compensated",
        _ => "↺ compensation failed",
    };

    /// <summary>Each step as the page marks it: path, kind, status, attempts, compensation and the path it is nested in.</summary>
    private static IEnumerable<string> Flatten(JsonArray steps, string? parent)
    {
        foreach (var step in steps.Select(s => s!.AsObject()))
        {
            var path = (string)step["path"]!;
            yield return string.Join(" ", path, (string)step["kind"]!, (string)step["status"]!, ((int)step["attempts"]!).ToString(System.Globalization.CultureInfo.InvariantCulture),
                (string?)step["compensation"] ?? "-", parent ?? "-");
            foreach (var child in Flatten(step["children"]!.AsArray(), path))
            {
                yield return child;
            }
        }
    }
}
