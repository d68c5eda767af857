using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>
/// One headless Chromium (<see cref="Chromium"/>) for the page tests: pages that keep the errors their scripts
/// report, and full-page screenshots into TestResults/screenshots.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>A laptop's screen, what the page is designed for.</summary>
    public static readonly ViewportSize Laptop = new() { Width = 1366, Height = 768 };

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly ConcurrentDictionary<IPage, ConcurrentQueue<string>> _errors = new();

    private BrowserSession(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<BrowserSession> LaunchAsync()
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        return new BrowserSession(playwright, browser);
    }

    /// <summary>A new page (<see cref="Laptop"/>-sized unless told) whose console errors and uncaught exceptions are kept.</summary>
    public async Task<IPage> NewPageAsync(ViewportSize? viewport = null)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = viewport ?? Laptop });
        var errors = _errors.GetOrAdd(page, _ => new ConcurrentQueue<string>());
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => errors.Enqueue(error);
        return page;
    }

    /// <summary>What the page's scripts reported as errors so far.</summary>
    public IReadOnlyCollection<string> Errors(IPage page) => _errors.TryGetValue(page, out var errors) ? errors : [];

    /// <summary>Saves a full-page screenshot as TestResults/screenshots/<paramref name="name"/>.png and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        var path = Path.Combine(TestPaths.Artifacts("screenshots"), name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
