using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SagaWorkflows.Bridge.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SagaWorkflows.Bridge.Tests.Browser;

/// <summary>One bridge with a real orchestrator and demo tools, and one Chromium, for every graph test.</summary>
public sealed class EngineBrowserFixture : IAsyncLifetime
{
    public BridgeServer Bridge { get; private set; } = null!;
    public BrowserSession Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Bridge = await BridgeServer.StartAsync(withEngine: true);
        Browser = await BrowserSession.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Bridge.DisposeAsync();
    }
}

/// <summary>
/// The run page in headless Chromium at a laptop's 1366×768, for real runs of each shape: the graph's boxes (found by
/// data-path) match the steps that ran and their final data-status; a screenshot of each lands in TestResults/screenshots.
/// </summary>
[Trait("Category", "Browser")]
public sealed class RunGraphPageTests(EngineBrowserFixture fixture) : IClassFixture<EngineBrowserFixture>
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Patiently = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToHaveTextOptions PatientText = new() { Timeout = 20_000 };
    private static readonly string[] ApprovalRequired = ["approved", "amount"];
    private static readonly string[] ApprovalLevels = ["low", "high"];

    private BridgeServer Bridge => fixture.Bridge;

    [Fact]
    public async Task Parallel_branches_are_drawn_side_by_side_and_a_steps_details_show_the_input_the_tool_received()
    {
        var runId = await StartAsync(new
        {
            id = "graph-parallel",
            version = 1,
            steps = new object[]
            {
                new { id = "prepare", type = "tool", tool = "record", input = new { order = "${ input.orderId }", qty = "${ input.qty * 2 }" } },
                new
                {
                    id = "ship", type = "parallel",
                    branches = new Dictionary<string, object[]>
                    {
                        ["label"] = [new { id = "makeLabel", type = "tool", tool = "echo" }],
                        ["notify"] = [new { id = "email", type = "tool", tool = "delay", input = new { ms = 50 } }, new { id = "sms", type = "tool", tool = "echo" }],
                    },
                },
                new { id = "done", type = "tool", tool = "echo" },
            },
        }, new { orderId = "A-1", qty = 3 });
        var page = await OpenAsync(runId);

        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed", PatientText);
        foreach (var path in new[] { "prepare", "ship", "ship.makeLabel", "ship.email", "ship.sms", "done" })
        {
            await Expect(Box(page, path)).ToHaveAttributeAsync("data-status", "completed", Patiently);
        }

        await Expect(page.Locator(".box[data-path]")).ToHaveCountAsync(6);
        var lanes = page.Locator(".group.parallel[data-group='ship'] > .lanes > .lane");
        await Expect(lanes).ToHaveCountAsync(2);
        await Expect(lanes.Nth(0).Locator(".lane-name")).ToHaveTextAsync("label");
        await Expect(lanes.Nth(1).Locator(".box[data-path]")).ToHaveCountAsync(2);
        var label = await lanes.Nth(0).BoundingBoxAsync();
        var notify = await lanes.Nth(1).BoundingBoxAsync();
        Assert.True(notify!.X > label!.X + label.Width - 1 && Math.Abs(notify.Y - label.Y) < 2, "the branches sit side by side");

        // Keyboard: focus the first box, move down with the arrow key, open with Enter.
        await Box(page, "prepare").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var received = JsonNode.Parse(Assert.Single(Bridge.Recorded, r => r.Contains("A-1", StringComparison.Ordinal)));
        var shown = JsonNode.Parse(await page.Locator("#details-body[data-path='prepare'] [data-block='Input'] pre").InnerTextAsync());
        Assert.True(JsonNode.DeepEquals(received, shown), $"details show {shown?.ToJsonString()}, the tool received {received?.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"order":"A-1","qty":6}"""), shown));
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#details-body")).ToHaveAttributeAsync("data-path", "ship");

        await ScreenshotAsync(page, "graph-parallel");
    }

    [Fact]
    public async Task A_foreach_of_100_items_shows_its_iterations_counts_and_the_iteration_chosen()
    {
        var items = Enumerable.Range(0, 100).Select(i => new { n = i }).ToArray();
        var runId = await StartAsync(new
        {
            id = "graph-foreach",
            version = 1,
            steps = new object[]
            {
                new
                {
                    id = "perItem", type = "foreach", items = "input.items", concurrency = 10,
                    steps = new object[] { new { id = "charge", type = "tool", tool = "echo", input = new { amount = "${ item.n }", index = "${ index }" } } },
                },
            },
        }, new { items });
        var page = await OpenAsync(runId);

        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        var group = page.Locator(".group[data-group='perItem']");
        await Expect(group).ToHaveAttributeAsync("data-iterations", "100", Patiently);
        await Expect(group).ToHaveAttributeAsync("data-done", "100", Patiently);
        await Expect(group).ToHaveAttributeAsync("data-failed", "0");
        await Expect(group.Locator(".counts")).ToHaveTextAsync("100 iterations: 100 done · 0 running · 0 failed");
        await Expect(group.Locator(".chip[data-status='completed']")).ToHaveCountAsync(100);
        await Expect(Box(page, "perItem")).ToHaveAttributeAsync("data-status", "completed");

        await group.Locator(".iteration-select").SelectOptionAsync("57");
        var charge = Box(page, "perItem[57].charge");
        await Expect(charge).ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Expect(page.Locator(".box[data-path^='perItem[']")).ToHaveCountAsync(1);
        await charge.ClickAsync();
        var shown = JsonNode.Parse(await page.Locator("#details-body[data-path='perItem[57].charge'] [data-block='Input'] pre").InnerTextAsync());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"amount":57,"index":57}"""), shown), shown?.ToJsonString());

        // The foreach's output (100 items) is large: collapsed until asked for.
        await Box(page, "perItem").ClickAsync();
        var output = page.Locator("#details-body[data-path='perItem'] [data-block='Output'] details");
        await Expect(output).Not.ToHaveAttributeAsync("open", "");
        await Expect(output.Locator("pre")).ToBeHiddenAsync();
        await output.Locator("summary").ClickAsync();
        await Expect(output.Locator("pre")).ToContainTextAsync("\"amount\": 99");

        // A chip views its iteration too.
        await group.Locator(".chip[data-path='perItem[3]']").ClickAsync();
        await Expect(Box(page, "perItem[3].charge")).ToHaveAttributeAsync("data-status", "completed", Patiently);

        await AssertStatusContrastAsync(page);
        await ScreenshotAsync(page, "graph-foreach-100");
    }

    [Fact]
    public async Task A_loop_shows_each_iteration_and_its_steps()
    {
        var runId = await StartAsync(new
        {
            id = "graph-loop",
            version = 1,
            steps = new object[]
            {
                new
                {
                    id = "poll", type = "loop", until = "iteration >= 3", maxIterations = 10,
                    steps = new object[] { new { id = "check", type = "tool", tool = "echo", input = new { round = "${ iteration }" } } },
                },
            },
        }, new { });
        var page = await OpenAsync(runId);

        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed", PatientText);
        var group = page.Locator(".group[data-group='poll']");
        await Expect(group).ToHaveAttributeAsync("data-iterations", "3", Patiently);
        await Expect(group).ToHaveAttributeAsync("data-done", "3", Patiently);
        foreach (var path in new[] { "poll#1", "poll#2", "poll#3" })
        {
            await Expect(group.Locator($".chip[data-path='{path}']")).ToHaveAttributeAsync("data-status", "completed");
        }

        await Expect(Box(page, "poll#3.check")).ToHaveAttributeAsync("data-status", "completed");
        await group.Locator(".iteration-select").SelectOptionAsync("2");
        await Expect(Box(page, "poll#2.check")).ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Box(page, "poll#2.check").ClickAsync();
        await Expect(page.Locator("#details-body[data-path='poll#2.check'] [data-block='Input'] pre")).ToContainTextAsync("\"round\": 2");

        await ScreenshotAsync(page, "graph-loop");
    }

    [Fact]
    public async Task A_branch_highlights_the_case_taken_and_greys_the_others_and_a_sleep_is_marked()
    {
        var runId = await StartAsync(new
        {
            id = "graph-branch",
            version = 1,
            steps = new object[]
            {
                new
                {
                    id = "route", type = "branch",
                    cases = new object[]
                    {
                        new { when = "input.total > 1000", steps = new object[] { new { id = "review", type = "tool", tool = "echo" } } },
                        new { when = "input.total > 100", steps = new object[] { new { id = "standard", type = "tool", tool = "echo" } } },
                    },
                    @default = new object[] { new { id = "fast", type = "tool", tool = "echo" } },
                },
                new { id = "pause", type = "sleep", duration = "PT0.2S" },
            },
        }, new { total = 500 });
        var page = await OpenAsync(runId);

        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed", PatientText);
        await Expect(Box(page, "route")).ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Expect(Box(page, "route.standard")).ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Expect(Box(page, "route.review")).ToHaveAttributeAsync("data-status", "skipped");
        await Expect(Box(page, "route.fast")).ToHaveAttributeAsync("data-status", "skipped");
        await Expect(page.Locator(".lane[data-case='1']")).ToHaveAttributeAsync("data-taken", "true");
        await Expect(page.Locator(".lane[data-case='0']")).ToHaveAttributeAsync("data-taken", "false");
        await Expect(page.Locator(".lane[data-case='default']")).ToHaveAttributeAsync("data-taken", "false");
        await Expect(page.Locator(".lane[data-case='0'] .lane-name")).ToHaveTextAsync("when input.total > 1000");
        await Expect(Box(page, "pause")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(Box(page, "pause").Locator(".what")).ToHaveTextAsync("sleeps PT0.2S");

        await ScreenshotAsync(page, "graph-branch");
    }

    [Fact]
    public async Task A_wait_is_answered_from_the_form_built_from_its_schema_and_a_rejected_signal_is_shown_at_the_step()
    {
        var runId = await StartAsync(new
        {
            id = "graph-wait",
            version = 1,
            steps = new object[]
            {
                new { id = "prepare", type = "tool", tool = "echo" },
                new
                {
                    id = "approval", type = "wait", signal = "approve",
                    schema = new
                    {
                        type = "object", required = ApprovalRequired,
                        properties = new Dictionary<string, object>
                        {
                            ["approved"] = new { type = "boolean" },
                            ["amount"] = new { type = "integer" },
                            ["level"] = new { @enum = ApprovalLevels },
                            ["note"] = new { type = "string" },
                        },
                    },
                },
                new { id = "after", type = "tool", tool = "record" },
            },
        }, new { });
        var page = await OpenAsync(runId);

        var wait = Box(page, "approval");
        await Expect(wait).ToHaveAttributeAsync("data-status", "waiting", Patiently);
        await Expect(wait.Locator(".what")).ToContainTextAsync("waits for signal “approve”");
        var form = page.Locator("form.signal-form[data-path='approval']");
        await Expect(form).ToBeVisibleAsync();

        // A payload the schema refuses, sent as raw JSON: the orchestrator rejects it, and the page says so at the step.
        await form.Locator("details.raw-json summary").ClickAsync();
        await form.Locator("textarea.raw").FillAsync("""{ "approved": "yes" }""");
        await form.Locator("button[type=submit]").ClickAsync();
        await Expect(form.Locator(".signal-rejection")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(wait.Locator(".box-note.rejected")).ToContainTextAsync("signal rejected", new() { Timeout = 20_000 });
        await Expect(wait).ToHaveAttributeAsync("data-status", "waiting");
        await AssertStatusContrastAsync(page);
        await ScreenshotAsync(page, "graph-wait-rejected", close: false);

        // The form's own fields, built from the schema.
        await form.Locator("details.raw-json summary").ClickAsync();
        await form.Locator("input[data-field='payload.approved']").CheckAsync();
        await form.Locator("input[data-field='payload.amount']").FillAsync("5");
        await form.Locator("select[data-field='payload.level']").SelectOptionAsync(new SelectOptionValue { Label = "high" });
        await form.Locator("input[data-field='payload.note']").FillAsync("ok");
        await form.Locator("button[type=submit]").ClickAsync();

        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed", PatientText);
        await Expect(wait).ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Expect(Box(page, "after")).ToHaveAttributeAsync("data-status", "completed", Patiently);
        await Expect(page.Locator("#waiting")).ToBeHiddenAsync();
        var received = JsonNode.Parse(Assert.Single(Bridge.Recorded, r => r.Contains("\"note\":\"ok\"", StringComparison.Ordinal)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"approved":true,"amount":5,"level":"high","note":"ok"}"""), received), received?.ToJsonString());
        await Box(page, "approval").ClickAsync();
        await Expect(page.Locator("#details-body [data-block='Output'] pre")).ToContainTextAsync("\"level\": \"high\"");

        await ScreenshotAsync(page, "graph-wait");
    }

    [Fact]
    public async Task A_failure_after_retries_compensates_in_reverse_and_the_graph_shows_the_walk()
    {
        var runId = await StartAsync(new
        {
            id = "graph-compensation",
            version = 1,
            steps = new object[]
            {
                new { id = "reserve", type = "tool", tool = "echo", input = new { sku = "A" }, compensate = new { tool = "echo", input = new { undo = "${ steps.reserve.sku }" } } },
                new { id = "charge", type = "tool", tool = "echo", input = new { amount = 10 }, compensate = new { tool = "echo" } },
                new
                {
                    id = "ship", type = "tool", tool = "flaky", input = new { failTimes = 5, errorType = "CarrierDown" },
                    retry = new { maxAttempts = 2, initialInterval = "PT0.2S" },
                },
            },
        }, new { });
        var page = await OpenAsync(runId);

        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Failed", PatientText);
        await Expect(page.Locator("#run-compensation")).ToHaveTextAsync("↺ compensated", PatientText);
        await Expect(Box(page, "ship")).ToHaveAttributeAsync("data-status", "failed", Patiently);
        await Expect(Box(page, "ship")).ToHaveAttributeAsync("data-attempts", "2");
        await Expect(Box(page, "charge")).ToHaveAttributeAsync("data-status", "compensated", Patiently);
        await Expect(Box(page, "reserve")).ToHaveAttributeAsync("data-status", "compensated", Patiently);
        await Expect(page.Locator("#compensation-list > li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#compensation-list > li").Nth(0)).ToHaveAttributeAsync("data-path", "charge");
        await Expect(page.Locator("#compensation-list > li").Nth(1)).ToHaveAttributeAsync("data-path", "reserve");
        await Expect(Box(page, "charge").Locator(".box-note")).ToHaveTextAsync("↺ undone 1st");

        await Box(page, "ship").ClickAsync();
        var details = page.Locator("#details-body[data-path='ship']");
        await Expect(details.Locator(".attempt-failed")).ToHaveCountAsync(1);
        await Expect(details.Locator(".attempt-failed")).ToContainTextAsync("attempt 1 failed");
        await Expect(details.Locator(".attempt-failed")).ToContainTextAsync("CarrierDown");
        await Expect(details.Locator(".attempt-failed")).ToContainTextAsync("attempt 2 after");
        await Expect(details.Locator("[data-block='Error'] pre")).ToContainTextAsync("CarrierDown");

        await AssertStatusContrastAsync(page);
        await ScreenshotAsync(page, "graph-compensated-failure");
    }

    [Fact]
    public async Task Suspend_resume_and_cancel_are_sent_from_the_page()
    {
        var runId = await StartAsync(new
        {
            id = "graph-actions",
            version = 1,
            steps = new object[] { new { id = "hold", type = "wait", signal = "go" }, new { id = "after", type = "tool", tool = "echo" } },
        }, new { });
        var page = await OpenAsync(runId);
        await Expect(Box(page, "hold")).ToHaveAttributeAsync("data-status", "waiting", Patiently);

        await page.Locator("#suspend").ClickAsync();
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Suspended", PatientText);
        await page.Locator("#resume").ClickAsync();
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Running", PatientText);

        await page.Locator("#cancel").ClickAsync();
        await page.Locator("#cancel-form input[name=reason]").FillAsync("changed my mind");
        await page.Locator("#cancel-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Cancelled", PatientText);
        await Expect(page.Locator("#cancel")).ToBeDisabledAsync();
        await Expect(Box(page, "after")).ToHaveAttributeAsync("data-status", "pending");
        await ScreenshotAsync(page, "graph-cancelled");
    }

    [Fact]
    public async Task A_streamed_ai_steps_text_grows_in_its_box_while_it_runs()
    {
        // The offline demo model streams a word every 40 ms: about three seconds of text once the signal comes.
        var prompt = string.Join(' ', Enumerable.Range(1, 70).Select(i => $"word{i}"));
        var runId = await StartAsync(new
        {
            id = "graph-streamed",
            version = 1,
            steps = new object[]
            {
                new { id = "hold", type = "wait", signal = "go" },
                new { id = "story", type = "ai", model = "default", stream = true, prompt },
            },
        }, new { });
        var page = await OpenAsync(runId);
        await Expect(Box(page, "hold")).ToHaveAttributeAsync("data-status", "waiting", Patiently);

        // Every length the box's text shows, with the box's status at that moment, recorded by the page itself.
        await page.EvaluateAsync("""
            () => {
              window.streamLengths = [];
              const box = document.querySelector(".box[data-path='story']");
              const stream = box.querySelector('.box-stream');
              new MutationObserver(() => window.streamLengths.push({ length: Number(stream.dataset.length || 0), status: box.dataset.status }))
                .observe(stream, { attributes: true, attributeFilter: ['data-length'] });
            }
            """);
        using (var signal = await Bridge.Client.PostAsJsonAsync($"/runs/{runId}/signals/go", new { }))
        {
            Assert.Equal(HttpStatusCode.Accepted, signal.StatusCode);
        }

        await Expect(Box(page, "story").Locator(".box-stream")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await ScreenshotAsync(page, "graph-streaming", close: false);
        await Expect(Box(page, "story")).ToHaveAttributeAsync("data-status", "completed", Patiently);

        var seen = (await page.EvaluateAsync<JsonElement>("() => window.streamLengths")).EnumerateArray()
            .Select(o => (Length: o.GetProperty("length").GetInt32(), Status: o.GetProperty("status").GetString()))
            .ToList();
        var growing = seen.Where(o => o.Length > 0 && o.Status != "completed").Select(o => o.Length).ToList();
        Assert.True(growing.Distinct().Count() >= 3, $"lengths seen before completion: {string.Join(", ", seen)}");
        Assert.Equal(growing.Order(), growing);
        Assert.True(growing[^1] <= $"[offline demo model] {prompt}".Length);
        await Expect(Box(page, "story").Locator(".box-stream")).ToBeHiddenAsync();
        await Box(page, "story").ClickAsync();
        await Expect(page.Locator("#details-body [data-block='Output']")).ToContainTextAsync("word70");
        await ScreenshotAsync(page, "graph-streamed");
    }

    private static ILocator Box(IPage page, string path) => page.Locator($".box[data-path='{path}']");

    /// <summary>
    /// Every status label (box states, badges, iteration chips) has WCAG AA contrast, 4.5:1, between its text and its
    /// own background; greyed labels of cases not taken are left out (inactive, as WCAG allows).
    /// </summary>
    private static async Task AssertStatusContrastAsync(IPage page)
    {
        var result = await page.EvaluateAsync<JsonElement>("""
            () => {
              const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
              const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
              const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
              const labels = [...document.querySelectorAll('.box .state, .badge, .chip')]
                .filter((e) => e.offsetParent !== null && !e.closest('[data-status="skipped"]'))
                .map((e) => { const s = getComputedStyle(e); return [e, ratio(rgb(s.color), rgb(s.backgroundColor)), s.backgroundColor]; })
                .filter(([, , bg]) => !bg.startsWith('rgba(0, 0, 0, 0)'));
              return { checked: labels.length, poor: labels.filter(([, r]) => r < 4.5).map(([e, r]) => `${e.className} '${e.textContent}' ${r.toFixed(2)}`) };
            }
            """);
        Assert.True(result.GetProperty("checked").GetInt32() >= 3, "status labels to check");
        Assert.Empty(result.GetProperty("poor").EnumerateArray().Select(p => p.GetString()));
    }

    private async Task<Guid> StartAsync(object definition, object input)
    {
        using var response = await Bridge.Client.PostAsJsonAsync("/runs", new { definition, input });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
    }

    private async Task<IPage> OpenAsync(Guid runId)
    {
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(Bridge.BaseAddress, $"/runs/{runId}").ToString());
        return page;
    }

    private async Task ScreenshotAsync(IPage page, string name, bool close = true)
    {
        var path = await BrowserSession.ScreenshotAsync(page, name);
        Assert.True(new FileInfo(path).Length > 10_000, $"the screenshot at {path} looks empty");
        Assert.Empty(fixture.Browser.Errors(page));
        if (close)
        {
            await page.CloseAsync();
        }
    }
}
