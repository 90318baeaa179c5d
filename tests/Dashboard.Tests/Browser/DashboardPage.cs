using Microsoft.Playwright;
using OrleansTenancy.Silo.Tests;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Dashboard.Tests.Browser;

/// <summary>
/// One browser context on the dashboard. Disposing it saves a full-page screenshot under
/// <c>TestResults/dashboard/</c> — after a failure too, since tests dispose it in <c>await using</c>.
/// </summary>
public sealed class DashboardPage(IBrowserContext context, IPage page, string testName) : IAsyncDisposable
{
    /// <summary>Where screenshots go: <c>TestResults/dashboard/</c> at the repository root.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot.Find(), "TestResults", "dashboard");

    public IPage Page { get; } = page;

    public IBrowserContext Context { get; } = context;

    /// <summary>A tenant's card.</summary>
    public ILocator Tenant(string slug) => Page.Locator($"article.tenant[data-tenant='{slug}']");

    /// <summary>A tenant-wide limit's entry (bar, figures, level) in a tenant's card.</summary>
    public ILocator Limit(string slug, string metric, string period) =>
        Tenant(slug).Locator($"li.limit[data-metric='{metric}'][data-period='{period}'][data-workspace='']");

    /// <summary>Opens the sign-in page, enters <paramref name="key"/> and submits it; returns the form post's response status.</summary>
    public async Task<int> SignInAsync(string key)
    {
        await Page.GotoAsync("/dashboard");
        await Assertions.Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard/login$"));
        await Page.GetByLabel("Admin key").FillAsync(key);
        var response = await Page.RunAndWaitForResponseAsync(
            () => Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
            r => r.Url.EndsWith("/dashboard/login", StringComparison.Ordinal) && r.Request.Method == "POST");
        return response.Status;
    }

    /// <summary>Waits for an expectation on the page, naming what was awaited when it times out.</summary>
    public static async Task Awaiting(string what, Func<Task> expectation)
    {
        try
        {
            await expectation();
        }
        catch (PlaywrightException error)
        {
            throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.{Environment.NewLine}{error.Message}");
        }
    }

    public async Task ScreenshotAsync(string suffix)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{testName}-{suffix}.png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ScreenshotAsync("final");
        }
        finally
        {
            await Context.DisposeAsync();
        }
    }
}
